package auth

import (
	"crypto/rand"
	"math/big"
)

// oneTimeAlphabet leaves out letters and digits that are easily misread
// aloud or on paper (0/O, 1/l/I).
const oneTimeAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// OneTimePassword returns a random 10-character password for a head to read
// out to an officer whose password was reset; it must be changed at once.
func OneTimePassword() (string, error) {
	b := make([]byte, 10)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(oneTimeAlphabet))))
		if err != nil {
			return "", err
		}
		b[i] = oneTimeAlphabet[n.Int64()]
	}
	b[0] = 'p' // never all digits, so it always passes the password rule
	return string(b), nil
}
