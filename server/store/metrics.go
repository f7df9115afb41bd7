package store

import (
	"context"
	"fmt"

	"policebooth/server/app"
)

// CountOpenRequests counts the service requests of every station that are
// not finished yet: the depth of the queues, for the metrics.
func (s *Store) CountOpenRequests(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&app.ServiceRequest{}).
		Where("status IN ?", []app.RequestStatus{app.RequestSubmitted, app.RequestAccepted, app.RequestInProgress, app.RequestOnHold}).
		Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("store: count open requests: %w", err)
	}
	return n, nil
}
