package web

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"policebooth/server/app"
)

// ttlCache keeps values for a short time. The server keeps only such
// caches: another instance's change shows here within the TTL.
type ttlCache[K comparable, V any] struct {
	ttl     time.Duration
	mu      sync.Mutex
	entries map[K]ttlEntry[V]
	loads   singleflight.Group // one load of a key at a time: the requests that miss together wait for it
}

type ttlEntry[V any] struct {
	value V
	until time.Time
}

func newTTLCache[K comparable, V any](ttl time.Duration) *ttlCache[K, V] {
	return &ttlCache[K, V]{ttl: ttl, entries: map[K]ttlEntry[V]{}}
}

// get returns the cached value, or loads, caches and returns it.
func (c *ttlCache[K, V]) get(k K, load func() (V, error)) (V, error) {
	now := time.Now()
	c.mu.Lock()
	e, ok := c.entries[k]
	c.mu.Unlock()
	if ok && now.Before(e.until) {
		return e.value, nil
	}
	v, err, _ := c.loads.Do(fmt.Sprint(k), func() (any, error) {
		v, err := load()
		if err != nil {
			return v, err
		}
		c.mu.Lock()
		if len(c.entries) >= maxCacheEntries { // a bound, not an LRU: entries live seconds
			clear(c.entries)
		}
		c.entries[k] = ttlEntry[V]{value: v, until: now.Add(c.ttl)}
		c.mu.Unlock()
		return v, nil
	})
	value, _ := v.(V)
	return value, err
}

// maxCacheEntries bounds each cache's memory.
const maxCacheEntries = 50_000

// forget drops one entry, after a change made through this instance.
func (c *ttlCache[K, V]) forget(k K) {
	c.mu.Lock()
	delete(c.entries, k)
	c.mu.Unlock()
}

// forgetAll drops every entry.
func (c *ttlCache[K, V]) forgetAll() {
	c.mu.Lock()
	clear(c.entries)
	c.mu.Unlock()
}

// caches are the server's read-mostly records.
type caches struct {
	stations  *ttlCache[int64, *app.Station]
	booths    *ttlCache[struct{}, []app.Booth]
	catalogue *ttlCache[int64, []app.ServiceType]
	zones     *ttlCache[int64, *time.Location] // stations' time zones
}

func newCaches() caches {
	return caches{
		stations:  newTTLCache[int64, *app.Station](30 * time.Second),
		booths:    newTTLCache[struct{}, []app.Booth](30 * time.Second),
		catalogue: newTTLCache[int64, []app.ServiceType](10 * time.Second),
		zones:     newTTLCache[int64, *time.Location](time.Minute),
	}
}

// station returns a station, cached.
func (s *Server) station(ctx context.Context, id int64) (*app.Station, error) {
	return s.cache.stations.get(id, func() (*app.Station, error) { return s.store.FindStation(ctx, id) })
}

// booths returns every booth, cached.
func (s *Server) booths(ctx context.Context) ([]app.Booth, error) {
	return s.cache.booths.get(struct{}{}, func() ([]app.Booth, error) { return s.store.ListBooths(ctx) })
}

// booth returns one booth from the cached list, else from the store.
func (s *Server) booth(ctx context.Context, id int64) (*app.Booth, error) {
	all, err := s.booths(ctx)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].ID == id {
			return &all[i], nil
		}
	}
	return s.store.FindBooth(ctx, id)
}

// names looks up people's names for one page, each at most once.
type names struct {
	ctx   context.Context
	s     *Server
	known map[int64]string
}

func (s *Server) names(ctx context.Context) *names {
	return &names{ctx: ctx, s: s, known: map[int64]string{}}
}

// of returns the name of the user with id, "" for nil or someone unknown.
func (n *names) of(id *int64) string {
	if id == nil {
		return ""
	}
	name, ok := n.known[*id]
	if !ok {
		if u, err := n.s.store.FindUser(n.ctx, *id); err == nil {
			name = u.Name
		}
		n.known[*id] = name
	}
	return name
}
