// Package auth hashes passwords, issues and verifies access tokens, and
// makes the refresh tokens the store rotates.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"

	"policebooth/server/app"
)

// argon2id parameters for new hashes. 64 MiB and one pass take about
// 0.1 s on this project's machines; OWASP asks for at least 46 MiB with one
// pass. Each check holds 64 MiB while it runs, so sign-in throttling also
// bounds memory. Stored hashes
// carry their own parameters, so raising these later keeps old ones valid.
const (
	argonTime    = 1
	argonMemory  = 64 * 1024 // KiB
	argonThreads = 2
	argonKeyLen  = 32
	argonSaltLen = 16
)

var b64 = base64.RawStdEncoding

// HashPassword checks the password rule (EINVALID) and returns the
// password's argon2id hash in PHC form:
// $argon2id$v=19$m=65536,t=1,p=2$<salt>$<hash>.
func HashPassword(password string) (string, error) {
	if err := app.ValidatePassword(password); err != nil {
		return "", err
	}
	return hash(password)
}

// HashPin hashes a 6-digit tablet PIN like a password. A PIN is short, so
// what protects it is the throttle on tries, not the hash alone; CheckPassword
// checks it.
func HashPin(pin string) (string, error) {
	if len(pin) != 6 || strings.Trim(pin, "0123456789") != "" {
		return "", app.Errorf(app.EINVALID, "pin must be 6 digits")
	}
	return hash(pin)
}

func hash(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches an encoded hash from
// HashPassword, comparing in constant time. A malformed hash never matches.
func CheckPassword(password, encoded string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	var memory, time uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &time, &threads); err != nil {
		return false
	}
	// Bounds keep a corrupted row from costing gigabytes or minutes.
	if memory == 0 || memory > 1<<20 || time == 0 || time > 16 || threads == 0 {
		return false
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 128 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, time, memory, threads, uint32(len(want))) // #nosec G115 -- len(want) is 1 to 128, checked above
	return subtle.ConstantTimeCompare(got, want) == 1
}
