package store

import "gorm.io/gorm"

// Models exposes the model list to the external tests.
var Models = models

// AppendEvent exposes appendEvent to the external tests.
var AppendEvent = appendEvent

// Tx exposes tx to the external tests.
func (s *Store) Tx(fn func(tx *gorm.DB) error) error { return s.db.Transaction(fn) }

// AfterGapCandidates sets what FindGaps runs between its first read and
// its decisions (nil: nothing), for tests of that race.
func AfterGapCandidates(fn func()) { afterGapCandidates = fn }
