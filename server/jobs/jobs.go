// Package jobs runs the server's periodic work: escalations, stream
// checks, coverage gaps, notices written ahead, retention, the blob purge,
// the outbox of text messages and the housekeeping of expired records.
// main starts it beside the web server. Each job runs once across
// instances (a claim on its schedule row, or row claims inside the job for
// the ones every instance runs), stops between runs when its context ends,
// and reports its runs in /metrics from the start of the process.
package jobs

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Job is one periodic job.
type Job struct {
	Name  string
	Every time.Duration
	// Everywhere: every instance runs it, because its work is the
	// instance's own (its streams) or claimed row by row inside Run.
	// Otherwise one instance takes each run through the schedule row.
	Everywhere bool
	Run        func(ctx context.Context, now time.Time) error
}

// Schedule is where the instances share the jobs' runs.
type Schedule interface {
	// ClaimJob takes the run due at now; next is when the next one is due.
	ClaimJob(ctx context.Context, name string, now, next time.Time) (bool, error)
	JobSucceeded(ctx context.Context, name string, at time.Time) error
	JobLastSuccess(ctx context.Context, name string) (time.Time, error)
}

// Outcomes of a run, as the metrics label them.
const (
	OutcomeOK      = "ok"
	OutcomeError   = "error"
	OutcomeSkipped = "skipped" // another instance had the run
)

// Runner runs jobs.
type Runner struct {
	sched Schedule
	now   func() time.Time
	log   *slog.Logger
	jobs  []Job
	wakes map[string]chan struct{}

	runs     *prometheus.CounterVec
	duration *prometheus.HistogramVec
	last     *prometheus.GaugeVec
}

// New returns a runner of jobs whose metrics are registered in reg, every
// job's series present from the start.
func New(sched Schedule, now func() time.Time, log *slog.Logger, reg prometheus.Registerer, jobs []Job) (*Runner, error) {
	r := &Runner{sched: sched, now: now, log: log, jobs: jobs, wakes: map[string]chan struct{}{},
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "policebooth_job_runs_total",
			Help: "Runs of the periodic jobs, by job and outcome (skipped: another instance had the run).",
		}, []string{"job", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "policebooth_job_duration_seconds",
			Help:    "How long the periodic jobs' runs took.",
			Buckets: []float64{.001, .005, .01, .05, .1, .5, 1, 5, 10, 30},
		}, []string{"job"}),
		last: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "policebooth_job_last_success_timestamp_seconds",
			Help: "When each periodic job last succeeded, on any instance (Unix time; 0: not yet).",
		}, []string{"job"}),
	}
	for _, c := range []prometheus.Collector{r.runs, r.duration, r.last} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	for _, j := range jobs {
		r.wakes[j.Name] = make(chan struct{}, 1)
		for _, o := range []string{OutcomeOK, OutcomeError, OutcomeSkipped} {
			r.runs.WithLabelValues(j.Name, o)
		}
		r.duration.WithLabelValues(j.Name)
		r.last.WithLabelValues(j.Name)
	}
	return r, nil
}

// Wake asks a job to run now rather than at its next tick; wakes coalesce.
func (r *Runner) Wake(name string) {
	select {
	case r.wakes[name] <- struct{}{}:
	default:
	}
}

// Run runs every job, first at once and then every period or wake-up,
// until ctx ends; it returns when every job has finished its run in
// progress.
func (r *Runner) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, j := range r.jobs {
		wg.Go(func() { r.loop(ctx, j) })
	}
	wg.Wait()
}

func (r *Runner) loop(ctx context.Context, j Job) {
	tick := time.NewTicker(j.Every)
	defer tick.Stop()
	for {
		r.RunOnce(ctx, j)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-r.wakes[j.Name]:
		}
	}
}

// RunOnce runs one job's run now (or learns that another instance has
// it), and records it.
func (r *Runner) RunOnce(ctx context.Context, j Job) {
	now := r.now()
	if !j.Everywhere {
		// The next run is due a little before the next tick, so a tick
		// that fires a moment early still takes it.
		mine, err := r.sched.ClaimJob(ctx, j.Name, now, now.Add(j.Every*3/4))
		if err != nil {
			r.failed(ctx, j, err)
			return
		}
		if !mine {
			r.runs.WithLabelValues(j.Name, OutcomeSkipped).Inc()
			if at, err := r.sched.JobLastSuccess(ctx, j.Name); err == nil && !at.IsZero() {
				r.last.WithLabelValues(j.Name).Set(float64(at.UnixNano()) / 1e9)
			}
			return
		}
	}
	start := time.Now() // a duration, not a date: the monotonic clock
	err := j.Run(ctx, now)
	r.duration.WithLabelValues(j.Name).Observe(time.Since(start).Seconds())
	if err != nil {
		r.failed(ctx, j, err)
		return
	}
	r.runs.WithLabelValues(j.Name, OutcomeOK).Inc()
	r.last.WithLabelValues(j.Name).Set(float64(now.UnixNano()) / 1e9)
	if err := r.sched.JobSucceeded(ctx, j.Name, now); err != nil && ctx.Err() == nil {
		r.log.Warn("job success not recorded", "job", j.Name, "err", err)
	}
}

func (r *Runner) failed(ctx context.Context, j Job, err error) {
	if ctx.Err() != nil {
		return // stopping: the run was cut short, not failed
	}
	r.runs.WithLabelValues(j.Name, OutcomeError).Inc()
	r.log.Warn("job failed", "job", j.Name, "err", err)
}
