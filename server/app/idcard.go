package app

import "strings"

// idCardWeights are the GB 11643-1999 weights of the first 17 digits.
var idCardWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// idCardCheck maps the weighted sum mod 11 to the check character.
const idCardCheck = "10X98765432"

// ValidIDCard reports whether s is an 18-character resident ID number whose
// last character is its GB 11643 check digit. It returns the number with
// the check letter upper-cased.
func ValidIDCard(s string) (string, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != 18 {
		return "", false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", false
		}
		sum += int(s[i]-'0') * idCardWeights[i]
	}
	if s[17] != idCardCheck[sum%11] {
		return "", false
	}
	return s, true
}

// MaskIDCard shows only the first 6 and last 4 characters of an ID number.
func MaskIDCard(s string) string {
	if len(s) < 10 {
		return strings.Repeat("*", len(s))
	}
	return s[:6] + strings.Repeat("*", len(s)-10) + s[len(s)-4:]
}
