package web

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"policebooth/server/app"
	"policebooth/server/events"
)

// opsMetrics are the booth's operational figures, for alerts on what a
// resident would notice: calls waiting, streams gone, requests piling up.
type opsMetrics struct {
	timeToAck   prometheus.Histogram
	escalations prometheus.Counter
	gaps        prometheus.Counter
}

// queueDepthTimeout bounds the count a scrape runs, so a slow database
// does not hold /metrics up.
const queueDepthTimeout = 2 * time.Second

// registerOps adds the operational metrics to the registry: the open
// streams and the queue depth are read at scrape time; the others are
// counted as things happen on this instance (sum them across instances).
func registerOps(reg *prometheus.Registry, st app.Services, hub *events.Hub, texts app.TextLimits) (*opsMetrics, error) {
	m := &opsMetrics{
		timeToAck: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "policebooth_call_time_to_acknowledge_seconds",
			Help:    "Time from an assistance call being raised to an officer acknowledging it.",
			Buckets: []float64{1, 2, 5, 10, 20, 30, 45, 60, 90, 120, 300, 600},
		}),
		escalations: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "policebooth_call_escalations_total",
			Help: "Escalation steps of assistance calls taken by this instance (unacknowledged in time, or raised with nobody on duty).",
		}),
		gaps: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "policebooth_coverage_gaps_total",
			Help: "Coverage gaps (a booth with nobody clocked in past its grace) flagged by this instance.",
		}),
	}
	streams := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "policebooth_open_event_streams",
		Help: "Live event streams open on this instance.",
	}, func() float64 { return float64(hub.Subscribers()) })
	queue := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "policebooth_open_service_requests",
		Help: "Service requests not yet finished (submitted, accepted, in progress or on hold), all stations; -1 when the database did not answer.",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), queueDepthTimeout)
		defer cancel()
		n, err := st.CountOpenRequests(ctx)
		if err != nil {
			return -1
		}
		return float64(n)
	})
	textsSent := func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), queueDepthTimeout)
		defer cancel()
		n, err := st.ThrottleHits(ctx, textBudgetBucket, st.Now())
		if err != nil {
			return -1
		}
		return float64(n)
	}
	budgetUsed := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "policebooth_texts_capped_this_hour",
		Help: "Code and sign-up texts sent this hour, all instances (escalations and staff alerts are not counted); -1 when the database did not answer.",
	}, textsSent)
	budgetNear := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "policebooth_text_budget_near",
		Help: "1 when this hour's code and sign-up texts have reached 80% of POLICEBOOTH_TEXTS_HOURLY_BUDGET (alert on it), else 0.",
	}, func() float64 {
		if n := textsSent(); n >= 0 && texts.BudgetNear(int(n)) {
			return 1
		}
		return 0
	})
	for _, c := range []prometheus.Collector{m.timeToAck, m.escalations, m.gaps, streams, queue, budgetUsed, budgetNear} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// acknowledged records a call's time to acknowledge once it has just been
// acknowledged.
func (m *opsMetrics) acknowledged(call *app.AssistanceCall) {
	if call == nil || call.Status != app.CallAcknowledged || call.AcknowledgedAt == nil {
		return
	}
	m.timeToAck.Observe(call.AcknowledgedAt.Sub(call.CreatedAt).Seconds())
}
