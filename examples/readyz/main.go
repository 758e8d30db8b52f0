// Command readyz is a readiness probe for a service whose permissions come
// from PostgreSQL: it re-checks the database against the service's RBAC
// model every --every, and answers /readyz with 503 and the failing findings
// as JSON while the check fails, 200 when it is clean. /healthz always
// answers 200. It uses only the public Go API of rbacdrift, as a service
// would inside its own process.
//
//	readyz --db postgres://app@db:5432/app --spec rbacdrift.yaml --addr :8080 --every 30s
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rbacdrift/rbacdrift"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stderr, nil))
}

// run parses the flags and serves until ctx ends. When ready is not nil it
// receives the listening address (for tests).
func run(ctx context.Context, args []string, stderr io.Writer, ready chan<- string) int {
	fs := flag.NewFlagSet("readyz", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", os.Getenv("DATABASE_URL"), "the database URL (default $DATABASE_URL)")
	specFile := fs.String("spec", "rbacdrift.yaml", "the RBAC model file")
	addr := fs.String("addr", ":8080", "the address to listen on")
	every := fs.Duration("every", 30*time.Second, "how often to check the database again")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *every <= 0 {
		fmt.Fprintln(stderr, "readyz: --every must be positive")
		return 2
	}
	model, err := rbacdrift.LoadModel(*specFile)
	if err != nil {
		fmt.Fprintf(stderr, "readyz: %v\n", err)
		return 2
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "readyz: %v\n", err)
		return 2
	}
	p := &probe{db: *db, model: model, logger: log.New(stderr, "readyz: ", 0)}
	srv := &http.Server{Handler: p.handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	go p.loop(ctx, *every)
	if ready != nil {
		ready <- ln.Addr().String()
	}
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "readyz: %v\n", err)
		return 1
	}
	return 0
}

// A probe keeps the outcome of the last check.
type probe struct {
	db     string
	model  *rbacdrift.Model
	logger *log.Logger

	mu      sync.Mutex
	conn    *pgx.Conn
	checked bool
	failing []*rbacdrift.Finding
	err     error
}

// loop checks now, then every interval, until ctx ends.
func (p *probe) loop(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		p.check(ctx)
		select {
		case <-ctx.Done():
			p.mu.Lock()
			if p.conn != nil {
				p.conn.Close(context.Background())
			}
			p.mu.Unlock()
			return
		case <-t.C:
		}
	}
}

// check runs one check on the probe's connection, opening it again when it
// is gone.
func (p *probe) check(ctx context.Context) {
	p.mu.Lock()
	conn := p.conn
	p.mu.Unlock()
	var err error
	if conn == nil || conn.IsClosed() {
		conn, err = pgx.Connect(ctx, p.db)
	}
	var failing []*rbacdrift.Finding
	if err == nil {
		var rep *rbacdrift.Report
		rep, err = rbacdrift.Check(ctx, conn, p.model, rbacdrift.Options{Timeout: 10 * time.Second})
		if err == nil {
			failing = rep.Failing()
		}
	}
	if err != nil && conn != nil {
		conn.Close(context.Background())
		conn = nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil && ctx.Err() == nil {
		p.logger.Printf("check failed: %v", err)
	}
	if p.checked && (len(failing) > 0) != (len(p.failing) > 0) {
		p.logger.Printf("%d findings fail the check", len(failing))
	}
	p.conn, p.checked, p.failing, p.err = conn, true, failing, err
}

// A status is the /readyz answer.
type status struct {
	Ready    bool                 `json:"ready"`
	Error    string               `json:"error,omitempty"`
	Findings []*rbacdrift.Finding `json:"findings"`
}

func (p *probe) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		st := status{Ready: p.checked && p.err == nil && len(p.failing) == 0, Findings: p.failing}
		switch {
		case !p.checked:
			st.Error = "not checked yet"
		case p.err != nil:
			st.Error = p.err.Error()
		}
		p.mu.Unlock()
		if st.Findings == nil {
			st.Findings = []*rbacdrift.Finding{}
		}
		w.Header().Set("Content-Type", "application/json")
		if !st.Ready {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(st)
	})
	return mux
}
