// Command benchbare is the bare baseline of scripts/bench-requests: the
// three service-request routes written the plainest way, with Echo, pgx and
// html/template and nothing else (no auth, no middleware, no GORM, no
// templ), so the real server's figures can be read as a ratio against it.
//
//	GET  /queue                     the 20 newest open requests of a station with their services, as an HTML list
//	GET  /api/service-requests      the 20 newest requests of a station with their services, as JSON
//	POST /api/service-requests      bind the JSON body and INSERT one row into bench_requests
//
// It reads DATABASE_URL and listens on -addr (or BENCHBARE_ADDR).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
)

// openStatuses are the statuses of a request still in the queue.
var openStatuses = []string{"submitted", "accepted", "in_progress", "on_hold"}

// listQuery is the one query behind both lists: a station's newest requests
// (of the given statuses) joined with their services and the services'
// names, one row per service.
const listQuery = `
SELECT r.id, r.booth_id, r.resident_id, r.ticket, r.status, r.target_minutes, r.created_at, r.updated_at,
       rs.code, rs.fields, st.name_zh
FROM (SELECT id, booth_id, resident_id, ticket, status, target_minutes, created_at, updated_at
      FROM service_requests
      WHERE station_id = $1 AND status = ANY($2)
      ORDER BY id DESC LIMIT $3) r
LEFT JOIN request_services rs ON rs.request_id = r.id
LEFT JOIN service_types st ON st.code = rs.code
ORDER BY r.id DESC, rs.code`

// queuePage is a whole page around a 20-row list, as a plain handler would
// write it.
var queuePage = template.Must(template.New("queue").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title><link rel="stylesheet" href="/static/app.css"></head>
<body><header><strong>{{.Station}}</strong></header><main><h1>{{.Title}}</h1>
<ul class="list">
{{range .Rows}}<li class="row"><a href="/requests/{{.ID}}"><span class="ticket">{{.Ticket}}</span> <span class="services">{{.Services}}</span> <span class="status status-{{.Status}}">{{.Status}}</span> <span class="when">{{.Created}}</span> <span class="waited">{{.Waited}} / {{.Target}} 分钟</span></a></li>
{{end}}</ul></main></body></html>`))

// request is one listed request with its services.
type request struct {
	ID            int64            `json:"id,string"`
	StationID     int64            `json:"station_id,string"`
	BoothID       int64            `json:"booth_id,string"`
	ResidentID    *int64           `json:"resident_id,string,omitempty"`
	Ticket        string           `json:"ticket"`
	Status        string           `json:"status"`
	Services      []requestService `json:"services"`
	TargetMinutes int              `json:"target_minutes"`
	WaitedMinutes int              `json:"waited_minutes"`
	CreatedAt     time.Time        `json:"created_at"`
	UpdatedAt     time.Time        `json:"updated_at"`
}

type requestService struct {
	Code   string            `json:"code"`
	Name   string            `json:"name"`
	Fields map[string]string `json:"fields"`
}

// queueRow is one line of the HTML list.
type queueRow struct {
	ID, Ticket, Services, Status, Created string
	Waited, Target                        int
}

// newRequest is the body of POST /api/service-requests.
type newRequest struct {
	Services []string                     `json:"services"`
	Fields   map[string]map[string]string `json:"fields"`
	BoothID  string                       `json:"booth_id"`
	Note     string                       `json:"note"`
}

// createdRequest is the answer to a POST.
type createdRequest struct {
	ID        int64     `json:"id,string"`
	Services  []string  `json:"services"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

// scratchTable is where the bare POST writes: a request row much like
// service_requests, without the ticket counter or the timeline.
const scratchTable = `CREATE TABLE IF NOT EXISTS bench_requests (
    id          BIGSERIAL PRIMARY KEY,
    station_id  BIGINT NOT NULL,
    resident_id BIGINT,
    status      TEXT NOT NULL DEFAULT 'submitted',
    services    TEXT NOT NULL,
    fields      TEXT NOT NULL DEFAULT '{}',
    note        TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
)`

type bare struct {
	pool    *pgxpool.Pool
	station int64
	name    string
	limit   int
}

func main() {
	addr := flag.String("addr", os.Getenv("BENCHBARE_ADDR"), "address to listen on, e.g. 127.0.0.1:8091")
	station := flag.String("station", "海淀派出所", "name of the station whose requests are listed")
	conns := flag.Int("conns", 20, "most database connections (the server's pool also allows 20)")
	limit := flag.Int("limit", 20, "requests per list")
	flag.Parse()
	if *addr == "" {
		log.Fatal("benchbare: give -addr or BENCHBARE_ADDR")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *conns < 1 || *conns > 10_000 {
		log.Fatal("benchbare: -conns must be 1 to 10000")
	}
	if err := run(ctx, *addr, *station, int32(*conns), *limit); err != nil { // #nosec G115 -- 1 to 10000, checked above
		log.Fatal("benchbare: ", err)
	}
}

func run(ctx context.Context, addr, station string, conns int32, limit int) error {
	cfg, err := pgxpool.ParseConfig(os.Getenv("DATABASE_URL"))
	if err != nil {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	cfg.MaxConns = conns
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	b := &bare{pool: pool, name: station, limit: limit}
	if err := pool.QueryRow(ctx, `SELECT id FROM stations WHERE name = $1`, station).Scan(&b.station); err != nil {
		return fmt.Errorf("find station %q: %w", station, err)
	}
	if _, err := pool.Exec(ctx, scratchTable); err != nil {
		return fmt.Errorf("create bench_requests: %w", err)
	}

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/queue", b.queue)
	e.GET("/api/service-requests", b.list)
	e.POST("/api/service-requests", b.create)

	errc := make(chan error, 1)
	go func() { errc <- e.Start(addr) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.Shutdown(shut); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// requests runs listQuery and folds its rows into requests.
func (b *bare) requests(ctx context.Context, statuses []string) ([]request, error) {
	rows, err := b.pool.Query(ctx, listQuery, b.station, statuses, b.limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]request, 0, b.limit)
	for rows.Next() {
		var (
			r            request
			code, fields *string
			name         *string
		)
		if err := rows.Scan(&r.ID, &r.BoothID, &r.ResidentID, &r.Ticket, &r.Status, &r.TargetMinutes, &r.CreatedAt, &r.UpdatedAt,
			&code, &fields, &name); err != nil {
			return nil, err
		}
		if n := len(out); n == 0 || out[n-1].ID != r.ID {
			r.StationID = b.station
			r.Services = []requestService{}
			out = append(out, r)
		}
		if code == nil {
			continue
		}
		svc := requestService{Code: *code, Fields: map[string]string{}}
		if name != nil {
			svc.Name = *name
		}
		if fields != nil {
			if err := json.Unmarshal([]byte(*fields), &svc.Fields); err != nil {
				return nil, err
			}
		}
		last := &out[len(out)-1]
		last.Services = append(last.Services, svc)
	}
	return out, rows.Err()
}

func (b *bare) queue(c echo.Context) error {
	reqs, err := b.requests(c.Request().Context(), openStatuses)
	if err != nil {
		return err
	}
	now := time.Now()
	rows := make([]queueRow, len(reqs))
	for i, r := range reqs {
		names := make([]string, len(r.Services))
		for j, s := range r.Services {
			names[j] = s.Name
		}
		rows[i] = queueRow{ID: fmt.Sprint(r.ID), Ticket: r.Ticket, Services: strings.Join(names, " + "), Status: r.Status,
			Created: r.CreatedAt.Format("01-02 15:04"), Waited: int(now.Sub(r.CreatedAt).Minutes()), Target: r.TargetMinutes}
	}
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	c.Response().WriteHeader(http.StatusOK)
	return queuePage.Execute(c.Response(), map[string]any{"Title": "待办队列", "Station": b.name, "Rows": rows})
}

func (b *bare) list(c echo.Context) error {
	reqs, err := b.requests(c.Request().Context(), []string{"submitted", "accepted", "in_progress", "on_hold", "completed", "rejected", "cancelled"})
	if err != nil {
		return err
	}
	now := time.Now()
	for i := range reqs {
		reqs[i].WaitedMinutes = int(now.Sub(reqs[i].CreatedAt).Minutes())
	}
	return c.JSON(http.StatusOK, map[string]any{"items": reqs})
}

func (b *bare) create(c echo.Context) error {
	var nr newRequest
	if err := c.Bind(&nr); err != nil {
		return err
	}
	if len(nr.Services) == 0 {
		return echo.NewHTTPError(http.StatusBadRequest, "services: choose at least one")
	}
	fields, err := json.Marshal(nr.Fields)
	if err != nil {
		return err
	}
	out := createdRequest{Services: nr.Services, Status: "submitted"}
	err = b.pool.QueryRow(c.Request().Context(),
		`INSERT INTO bench_requests (station_id, services, fields, note) VALUES ($1, $2, $3, $4) RETURNING id, created_at`,
		b.station, strings.Join(nr.Services, ","), string(fields), nr.Note).Scan(&out.ID, &out.CreatedAt)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, out)
}
