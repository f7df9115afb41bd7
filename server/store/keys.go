package store

import (
	"context"
	"crypto/rand"
	"fmt"

	"gorm.io/gorm/clause"

	"policebooth/server/app"
)

// Key returns the secret called name, generating size random bytes the
// first time. Every instance that asks gets the same key: the first insert
// wins and the others read it.
func (s *Store) Key(ctx context.Context, name string, size int) ([]byte, error) {
	db := s.db.WithContext(ctx)
	fresh := app.Key{Name: name, Value: make([]byte, size)}
	if _, err := rand.Read(fresh.Value); err != nil {
		return nil, fmt.Errorf("store: generate key %s: %w", name, err)
	}
	if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&fresh).Error; err != nil {
		return nil, fmt.Errorf("store: save key %s: %w", name, err)
	}
	var k app.Key
	if err := db.First(&k, "name = ?", name).Error; err != nil {
		return nil, fmt.Errorf("store: read key %s: %w", name, err)
	}
	return k.Value, nil
}
