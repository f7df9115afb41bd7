//go:build pprof

// A profiling build (go build -tags pprof) serves net/http/pprof on the
// loopback address in POLICEBOOTH_PPROF_ADDR (e.g. 127.0.0.1:6060), for
// profiling under the bench scripts' load. Release builds leave it out.
package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"time"
)

func init() {
	addr := os.Getenv("POLICEBOOTH_PPROF_ADDR")
	if addr == "" {
		return
	}
	if host, _, err := net.SplitHostPort(addr); err != nil || !net.ParseIP(host).IsLoopback() {
		panic("POLICEBOOTH_PPROF_ADDR must be a loopback host:port, got " + addr)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.ListenAndServe(); err != nil {
			fmt.Fprintln(os.Stderr, "policebooth: pprof:", err)
		}
	}()
}
