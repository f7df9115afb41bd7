package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// serverProcess is a policebooth server the driver starts, kills and
// restarts. It inherits the driver's environment (DATABASE_URL,
// POLICEBOOTH_DATA_DIR …) and listens on addr.
type serverProcess struct {
	bin, addr string
	log       *os.File
	cmd       *exec.Cmd
	exited    chan struct{}
	started   bool   // the demo data is loaded on the first start only
	state     string // how the last process ended, once it has
}

// alive reports an error when the server ended without the driver ending it.
func (p *serverProcess) alive() error {
	if p.cmd == nil {
		return errors.New("the server is not running")
	}
	select {
	case <-p.exited:
		return fmt.Errorf("the server ended by itself or by someone else (%s); see %s", p.state, p.log.Name())
	default:
		return nil
	}
}

func (p *serverProcess) url() string { return "http://" + p.addr }

// start starts the server (loading the demo data the first time) and waits until /readyz answers 200; it returns how long that took.
func (p *serverProcess) start(ctx context.Context) (time.Duration, error) {
	began := time.Now()
	args := []string{"serve"}
	if !p.started {
		args = append(args, "--demo")
	}
	cmd := exec.Command(p.bin, args...) // #nosec G204 -- the binary this script built, with its own flags
	cmd.Env = append(os.Environ(), "POLICEBOOTH_ADDR="+p.addr, "POLICEBOOTH_BASE_URL="+p.url())
	// The loads file many requests per resident and open their streams from
	// loopback: the per-account and per-address bounds are raised unless the
	// calling script set them.
	for _, kv := range []string{"POLICEBOOTH_MAX_OPEN_REQUESTS=1000000", "POLICEBOOTH_STREAMS_PER_ADDRESS=1000000"} {
		if k, _, _ := strings.Cut(kv, "="); os.Getenv(k) == "" {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Stdout, cmd.Stderr = p.log, p.log
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	p.cmd, p.exited, p.started = cmd, make(chan struct{}), true
	go func(exited chan struct{}) {
		_ = cmd.Wait()
		p.state = cmd.ProcessState.String()
		close(exited)
	}(p.exited)
	probe := &http.Client{Timeout: time.Second}
	for time.Since(began) < 60*time.Second {
		select {
		case <-p.exited:
			return 0, fmt.Errorf("the server exited while starting (see its log %s)", p.log.Name())
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		resp, err := probe.Get(p.url() + "/readyz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == 200 {
				return time.Since(began), nil
			}
		}
	}
	return 0, fmt.Errorf("the server was not ready within a minute (see %s)", p.log.Name())
}

// kill ends the server with SIGKILL, as a power cut would, and waits for it.
func (p *serverProcess) kill() {
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
	p.cmd = nil
}

// stop ends the server with SIGTERM and waits up to 30 s for it.
func (p *serverProcess) stop() {
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		p.kill()
	}
	p.cmd = nil
}
