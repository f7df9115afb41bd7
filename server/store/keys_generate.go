package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"policebooth/server/app"
)

// KeyWith returns the secret called name, making it with generate the first
// time: for keys that random bytes alone would not make, such as a P-256
// private key. Every instance that asks gets the same key: the first insert
// wins and the others read it.
func (s *Store) KeyWith(ctx context.Context, name string, generate func() ([]byte, error)) ([]byte, error) {
	db := s.db.WithContext(ctx)
	var k app.Key
	err := db.First(&k, "name = ?", name).Error
	if err == nil {
		return k.Value, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("store: read key %s: %w", name, err)
	}
	value, err := generate()
	if err != nil {
		return nil, fmt.Errorf("store: generate key %s: %w", name, err)
	}
	if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&app.Key{Name: name, Value: value}).Error; err != nil {
		return nil, fmt.Errorf("store: save key %s: %w", name, err)
	}
	if err := db.First(&k, "name = ?", name).Error; err != nil {
		return nil, fmt.Errorf("store: read key %s: %w", name, err)
	}
	return k.Value, nil
}
