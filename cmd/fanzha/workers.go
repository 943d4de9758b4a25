package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/assess"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/bulletin"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/dissuade"
	"github.com/fanzha/fanzha/internal/instruction"
	"github.com/fanzha/fanzha/internal/investigation"
	"github.com/fanzha/fanzha/internal/notify"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/roster"
	"github.com/fanzha/fanzha/internal/settings"
	"github.com/fanzha/fanzha/internal/stream"
	"github.com/fanzha/fanzha/internal/warning"
	"github.com/fanzha/fanzha/internal/web"
	"github.com/fanzha/fanzha/internal/zone"
)

// workerFlags configure the background workers of serve and demo.
type workerFlags struct {
	deadlines string
	webhooks  string
	secret    string
	baseURL   string
	freeze    string // --freeze-terms: legal terms of stop-payment and freeze, reminders (partner.ParseTerms)
}

func (f *workerFlags) bind(fs *flag.FlagSet) {
	fs.StringVar(&f.deadlines, "deadlines", "", "override of the warning deadlines set in the console (系统设置), e.g. fund=10m,high=30m,ordinary=24h,onsite=2h; keys named win over the console")
	fs.StringVar(&f.webhooks, "escalation-webhook", "", "override of the console's escalation webhooks: comma-separated URL (plain JSON), wecom:URL or dingtalk:URL")
	fs.StringVar(&f.secret, "webhook-secret", "", "override of the console's HMAC-SHA256 secret signing plain JSON webhooks (header X-Fanzha-Signature)")
	fs.StringVar(&f.baseURL, "base-url", "", "the console's public URL, for links in notifications (default http://ADDR)")
	fs.StringVar(&f.freeze, "freeze-terms", "", "override of the console's stop-payment/freeze terms and reminders, e.g. stop_payment=48h,freeze=6mo,remind_stop_payment=12h,remind_freeze=7d/1d; keys named win over the console")
}

// store builds the settings store with the flags as overrides of the
// values set in the console (docs/SETTINGS.md).
func (f *workerFlags) store(d *db.DB) (*settings.Store, error) {
	st, err := settings.New(d, settings.Overrides{Deadlines: f.deadlines, Freeze: f.freeze, Webhooks: f.webhooks, Secret: f.secret}, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	return st, nil
}

func (f *workerFlags) policy() (warning.Policy, error) {
	p, err := warning.ParsePolicy(f.deadlines)
	if err != nil {
		return p, fmt.Errorf("%w: --deadlines: %v", errUsage, err)
	}
	return p, nil
}

// startWorkers runs the deadline escalator and the notification deliverer
// until ctx ends. The escalator's first sweep happens at once, so deadlines
// that passed while the server was down are escalated on start.
//
// The webhooks, their secret and the freeze terms are those in force in
// 系统设置 (the flags override them), read at each sweep, so a change in the
// console reaches the next sweep without a restart.
func startWorkers(ctx context.Context, d *db.DB, srv *web.Server, wf workerFlags, addr string, log *slog.Logger) error {
	st := srv.Settings()
	targets := st.Targets
	base := wf.baseURL
	if base == "" {
		base = "http://" + addr
	}
	esc := &warning.Escalator{DB: d, TargetSource: targets, BaseURL: strings.TrimRight(base, "/"), Log: log, OnChange: srv.PublishWarnings}
	if _, err := esc.Sweep(ctx); err != nil {
		return fmt.Errorf("first deadline sweep: %w", err)
	}
	go esc.Run(ctx, time.Second)
	// 联席: announce requests to unit webhooks, remind and escalate (internal/partner/timers.go).
	go (&partner.Sweeper{DB: d, TargetSource: targets, BaseURL: strings.TrimRight(base, "/"), Log: log}).Run(ctx, 5*time.Second)
	if err := startFreezeWatch(ctx, d, st, strings.TrimRight(base, "/"), log); err != nil {
		return err
	}
	startTaskReminder(ctx, d, st, strings.TrimRight(base, "/"), log)
	g := st.WebhookGuard()
	dl := &notify.Deliverer{DB: d, Log: log, SecretSource: st.Secrets, Guard: &g}
	go dl.Run(ctx, 2*time.Second)
	go d.RunCheckpoints(ctx, db.CheckpointEvery)
	go (&auth.AuditSealer{DB: d, Log: log}).Run(ctx, time.Second)                       // chains the audit log after commit (internal/auth/auditchain.go)
	go (&bulletin.Scheduler{DB: d, Loc: zone.Shanghai, Log: log}).Run(ctx, time.Minute) // daily bulletin at the stored hour
	// Instruction sign/feedback deadlines, and 回访 after successful dissuasions.
	go (&instruction.Watcher{DB: d, TargetSource: targets, BaseURL: strings.TrimRight(base, "/"), Log: log}).Run(ctx, 5*time.Second)
	go (&dissuade.Scheduler{DB: d, Log: log}).Run(ctx, time.Minute)
	// 督办 tasks for the units the league graded red last month (once per unit and month).
	go (&assess.Supervisor{DB: d, Log: log}).Run(ctx, 10*time.Minute)
	go (&roster.GapWatch{DB: d, Targets: targets, BaseURL: strings.TrimRight(base, "/"), Log: log}).Run(ctx, time.Minute)
	// Duty boards hear of warnings changed on the other replicas (PostgreSQL).
	go srv.ListenReplicas(ctx, nil)
	// The county's entity graph, built once in the background so the first
	// visit to 两卡研判 does not wait for it.
	if err := srv.WarmIntelGraph(ctx); err != nil {
		log.Warn("intel graph warm-up", "err", err)
	}
	return nil
}

// startFreezeWatch stores the freeze terms in force (the console's, under
// --freeze-terms) where confirmations and the watcher read them, and runs
// the freeze watcher: its first sweep, at once, marks lapsed the terms that
// passed while the server was down and sends the reminders that fell due.
func startFreezeWatch(ctx context.Context, d *db.DB, st *settings.Store, base string, log *slog.Logger) error {
	if err := st.Start(ctx); err != nil {
		return fmt.Errorf("freeze terms in force: %w", err)
	}
	fw := &partner.FreezeWatch{DB: d, TargetSource: st.Targets, BaseURL: base, Log: log}
	if _, err := fw.Sweep(ctx); err != nil {
		return fmt.Errorf("first freeze sweep: %w", err)
	}
	go fw.Run(ctx, time.Minute)
	return nil
}

// startTaskReminder reminds, once a minute, the case tasks past their due
// date (investigation.RemindOverdue: each task is claimed by a conditional
// UPDATE, so several replicas remind it once); the first sweep runs at once.
func startTaskReminder(ctx context.Context, d *db.DB, st *settings.Store, base string, log *slog.Logger) {
	sweep := func() {
		if n, err := investigation.RemindOverdue(ctx, d, st.Targets(ctx), base, time.Now()); err != nil {
			if ctx.Err() == nil {
				log.Warn("overdue task reminders", "err", err)
			}
		} else if n > 0 {
			log.Info("overdue task reminders", "tasks", n)
		}
	}
	go func() {
		sweep()
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				sweep()
			}
		}
	}()
}

// streamFlags configure the stream door.
type streamFlags struct {
	natsURL      string
	natsPort     int
	natsReplicas int // 0: stream.DefaultReplicas
	noNATS       bool
}

func (f *streamFlags) bind(fs *flag.FlagSet) {
	fs.StringVar(&f.natsURL, "nats-url", "", "external NATS cluster URL(s) for the warning stream; empty runs an embedded NATS JetStream server")
	fs.IntVar(&f.natsReplicas, "nats-replicas", 0, "replicas of the warning stream and its consumer, 1..5 (default: 1 on the embedded server, 3 with --nats-url)")
	fs.IntVar(&f.natsPort, "nats-port", 0, "port of the embedded NATS server on 127.0.0.1 (0: any free port)")
	fs.BoolVar(&f.noNATS, "no-nats", false, "turn the stream door off")
}

// check validates --nats-replicas before anything starts and puts the
// default for --nats-url in place of 0.
func (f *streamFlags) check() error {
	n, err := stream.ResolveReplicas(f.natsReplicas, f.natsURL)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	f.natsReplicas = n
	return nil
}

// startStream starts (or connects to) NATS JetStream and consumes
// fanzha.warnings.in into the intake until ctx ends. The returned function
// stops it.
func startStream(ctx context.Context, srv *web.Server, dataDir string, sf streamFlags, log *slog.Logger) (func(), error) {
	if sf.noNATS {
		return func() {}, nil
	}
	replicas, err := stream.ResolveReplicas(sf.natsReplicas, sf.natsURL)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	url := sf.natsURL
	var emb *stream.Embedded
	if url == "" {
		emb, err = stream.StartEmbedded(dataDir, sf.natsPort)
		if err != nil {
			return nil, err
		}
		url = emb.URL()
	}
	nc, err := stream.Connect(url, "fanzha-intake")
	if err != nil {
		if emb != nil {
			emb.Shutdown()
		}
		return nil, err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	// The stream at its replica count now, so a server that cannot hold
	// them (not a cluster) stops the start with the reason.
	if _, err := stream.EnsureStream(ctx, js, replicas, log); err != nil {
		nc.Close()
		if emb != nil {
			emb.Shutdown()
		}
		return nil, err
	}
	in, err := srv.Intake(ctx)
	waitSetup := errors.Is(err, area.ErrNotFound) // empty database: consume once the county exists
	if err != nil && !waitSetup {
		nc.Close()
		return nil, err
	}
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	c := &stream.Consumer{JS: js, NC: nc, Intake: in, DB: srv.DB, Log: log, Replicas: replicas}
	go func() {
		defer close(done)
		if waitSetup {
			log.Info("warning stream waits for the first start (no county yet)")
			if c.Intake, err = waitForIntake(cctx, srv); err != nil {
				if cctx.Err() == nil {
					log.Error("warning stream consumer stopped", "err", err)
				}
				return
			}
			log.Info("warning stream consuming: the county exists")
		}
		if err := c.Run(cctx); err != nil && cctx.Err() == nil {
			log.Error("warning stream consumer stopped", "err", err)
		}
	}()
	log.Info("warning stream ready", "nats", url, "subject", stream.SubjectIn, "embedded", emb != nil, "replicas", replicas)
	return func() {
		cancel()
		<-done
		nc.Close()
		if emb != nil {
			emb.Shutdown()
		}
	}, nil
}

// waitForIntake polls until the first start has created the county, then
// returns the intake (the pipeline needs the jurisdiction tree).
func waitForIntake(ctx context.Context, srv *web.Server) (*warning.Intake, error) {
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-t.C:
		}
		in, err := srv.Intake(ctx)
		if err == nil {
			return in, nil
		}
		if !errors.Is(err, area.ErrNotFound) {
			return nil, err
		}
	}
}
