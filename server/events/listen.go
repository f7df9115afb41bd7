package events

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgxlisten"
)

// Listen holds one PostgreSQL connection that LISTENs on channel and wakes
// the hub on every notification, so a change made through another
// instance reaches this one's streams. After every (re)connect the hub
// reads the log, since notifications sent meanwhile are lost. It returns
// when ctx ends.
func Listen(ctx context.Context, databaseURL, channel string, hub *Hub, log *slog.Logger) error {
	l := &pgxlisten.Listener{
		Connect: func(ctx context.Context) (*pgx.Conn, error) {
			return pgx.Connect(ctx, databaseURL)
		},
		LogError: func(ctx context.Context, err error) {
			if ctx.Err() == nil {
				log.Warn("event listener", "err", err)
			}
		},
		ReconnectDelay: 2 * time.Second,
	}
	l.Handle(channel, waker{hub})
	err := l.Listen(ctx)
	if ctx.Err() != nil {
		return nil //nolint:nilerr // the listener stopped because the server is stopping, which is no error
	}
	return err
}

// waker wakes the hub for notifications and after each connect.
type waker struct{ hub *Hub }

func (w waker) HandleNotification(context.Context, *pgconn.Notification, *pgx.Conn) error {
	w.hub.Wake()
	return nil
}

func (w waker) HandleBacklog(context.Context, string, *pgx.Conn) error {
	w.hub.Wake()
	return nil
}
