package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"policebooth/server/app"
)

// Rate stores the resident's rating of their completed request (好差评),
// with a timeline entry and an event; a bad one (1 or 2) is texted to the
// station's heads, who must answer it. EINVALID per app.CheckRating;
// ECONFLICT for an unfinished request or a second rating; ENOTFOUND for a
// request not theirs.
func (s *Store) Rate(ctx context.Context, id int64, residentID int64, score int, comment string) (*app.Rating, error) {
	comment = strings.TrimSpace(comment)
	if err := app.CheckRating(score, comment); err != nil {
		return nil, err
	}
	var rt app.Rating
	err := s.tx(ctx, func(tx *gorm.DB) error {
		r, err := s.lockRequest(tx, id, app.RequestFilter{ResidentID: residentID})
		if err != nil {
			return err
		}
		if r.Status != app.RequestCompleted {
			return app.Errorf(app.ECONFLICT, "a visit is rated once it is completed").WithMessage("rating_not_completed")
		}
		now := dbTime(s.Now())
		rt = app.Rating{RequestID: r.ID, StationID: r.StationID, BoothID: r.BoothID, Score: score, Comment: comment, CreatedAt: now}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&rt)
		if res.Error != nil {
			return fmt.Errorf("store: rate: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return app.Errorf(app.ECONFLICT, "you have rated this visit already").WithMessage("rating_twice")
		}
		entry := app.TimelineEntry{RequestID: r.ID, StationID: r.StationID, At: now, ActorID: &residentID, Kind: kindRating, To: strconv.Itoa(score)}
		if err := tx.Create(&entry).Error; err != nil {
			return fmt.Errorf("store: rate: timeline: %w", err)
		}
		if rt.NeedsAnswer() {
			var booth string
			if err := tx.Model(&app.Booth{}).Where("id = ?", r.BoothID).Pluck("name", &booth).Error; err != nil {
				return fmt.Errorf("store: rate: booth: %w", err)
			}
			if err := queueHeadTexts(tx, r.StationID, "bad_rating", map[string]any{"Booth": booth, "Score": score, "Ticket": r.Ticket}); err != nil {
				return err
			}
		}
		return requestChanged(tx, "request.updated", r, []string{kindRating})
	})
	if err != nil {
		return nil, err
	}
	return &rt, nil
}

// AnswerRating stores a head's answer to a rating of their station, once,
// with a timeline entry and an event on the request, and texts it to the
// resident. ENOTFOUND for another station's; ECONFLICT when answered
// already.
func (s *Store) AnswerRating(ctx context.Context, actor app.Actor, ratingID int64, text string) (*app.Rating, error) {
	text = strings.TrimSpace(text)
	if text == "" || utf8.RuneCountInString(text) > app.MaxRatingAnswer {
		return nil, app.Errorf(app.EINVALID, "text: 1 to %d characters", app.MaxRatingAnswer).WithMessage("rating_answer_text", "Max", app.MaxRatingAnswer)
	}
	var rt app.Rating
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.First(&rt, ratingID).Error; err != nil {
			return notFound("answer rating", err)
		}
		a, err := stationHead(tx, actor, rt.StationID)
		if err != nil {
			return err
		}
		now := dbTime(s.Now())
		res := tx.Model(&app.Rating{}).Where("id = ? AND responded_at IS NULL", rt.ID).
			Updates(map[string]any{"response": text, "responder_id": a.ID, "responded_at": now})
		if res.Error != nil {
			return fmt.Errorf("store: answer rating: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return app.Errorf(app.ECONFLICT, "this rating has its answer already").WithMessage("rating_answered")
		}
		rt.Response, rt.ResponderID, rt.RespondedAt = text, &a.ID, &now
		var r app.ServiceRequest
		if err := tx.First(&r, rt.RequestID).Error; err != nil {
			return fmt.Errorf("store: answer rating: request: %w", err)
		}
		entry := app.TimelineEntry{RequestID: r.ID, StationID: r.StationID, At: now, ActorID: &a.ID, Kind: kindRating, Note: text}
		if err := tx.Create(&entry).Error; err != nil {
			return fmt.Errorf("store: answer rating: timeline: %w", err)
		}
		if err := textResident(tx, r.StationID, r.ResidentID, "rating_answer", map[string]any{"Request": strconv.FormatInt(r.ID, 10)}); err != nil {
			return err
		}
		if err := audit(tx, &app.AuditEntry{StationID: &r.StationID, ActorID: &a.ID, IP: actor.IP, Action: "rating.answer",
			Target: fmt.Sprintf("rating/%d", rt.ID)}); err != nil {
			return err
		}
		return requestChanged(tx, "request.updated", &r, []string{kindRating})
	})
	if err != nil {
		return nil, err
	}
	return &rt, nil
}

// RatingOf returns a request's rating; ENOTFOUND when it has none.
func (s *Store) RatingOf(ctx context.Context, requestID int64) (*app.Rating, error) {
	var rt app.Rating
	err := s.db.WithContext(ctx).Where("request_id = ?", requestID).First(&rt).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, app.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: rating of: %w", err)
	}
	return &rt, nil
}

// ListRatings returns a station's ratings newest first (ids below before,
// when set); with unansweredOnly, the bad ones still waiting for an answer.
func (s *Store) ListRatings(ctx context.Context, stationID int64, unansweredOnly bool, before int64, limit int) ([]app.Rating, error) {
	q := s.db.WithContext(ctx).Where("station_id = ?", stationID)
	if unansweredOnly {
		q = q.Where("score <= 2 AND responded_at IS NULL")
	}
	if before != 0 {
		q = q.Where("id < ?", before)
	}
	list := []app.Rating{}
	if err := q.Order("id DESC").Limit(listLimit(limit)).Find(&list).Error; err != nil {
		return nil, fmt.Errorf("store: list ratings: %w", err)
	}
	return list, nil
}
