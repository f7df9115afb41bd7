package auth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
)

// NewRefreshToken returns a refresh token: 32 random bytes, base64url.
// Only its HashRefreshToken is stored.
func NewRefreshToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: refresh token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// HashRefreshToken returns the SHA-256 of a refresh token, the form it is
// stored and looked up in. The token is 256 random bits, so a fast hash is
// enough: nobody can guess back from it.
func HashRefreshToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// sealKey derives the key that seals a token's successor. It is an HMAC
// keyed by the token itself, so it differs from the stored SHA-256 and only
// whoever presents the token can derive it.
func sealKey(token string) []byte {
	m := hmac.New(sha256.New, []byte(token))
	m.Write([]byte("policebooth refresh successor"))
	return m.Sum(nil)
}

// SealSuccessor encrypts successor (the token that replaced token) under a
// key only token opens, so a retried refresh can be handed the same
// successor while the database holds nothing that reveals it: a dump has
// the spent token's hash, never the token.
func SealSuccessor(token, successor string) ([]byte, error) {
	gcm, err := newGCM(token)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("auth: seal nonce: %w", err)
	}
	return gcm.Seal(nonce, nonce, []byte(successor), nil), nil
}

// OpenSuccessor decrypts what SealSuccessor sealed for token.
func OpenSuccessor(token string, sealed []byte) (string, error) {
	gcm, err := newGCM(token)
	if err != nil {
		return "", err
	}
	if len(sealed) < gcm.NonceSize() {
		return "", errors.New("auth: sealed successor too short")
	}
	plain, err := gcm.Open(nil, sealed[:gcm.NonceSize()], sealed[gcm.NonceSize():], nil)
	if err != nil {
		return "", fmt.Errorf("auth: open successor: %w", err)
	}
	return string(plain), nil
}

func newGCM(token string) (cipher.AEAD, error) {
	block, err := aes.NewCipher(sealKey(token))
	if err != nil {
		return nil, fmt.Errorf("auth: seal cipher: %w", err)
	}
	return cipher.NewGCM(block)
}
