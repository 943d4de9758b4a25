// Package stream is the message-stream door of warning intake: a NATS
// JetStream subject (fanzha.warnings.in) consumed by a durable pull
// consumer. The server is embedded in fanzha serve by default (its data in
// the data directory) or an external cluster given by URL. A message is
// acknowledged only after the warning it carries is durably stored, and
// intake is idempotent on (source, source_ref), so a redelivered message
// never doubles a warning.
package stream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/instruction"
	"github.com/fanzha/fanzha/internal/warning"
)

// Subjects and names.
const (
	SubjectIn       = "fanzha.warnings.in"       // senders publish warnings here
	SubjectRejected = "fanzha.warnings.rejected" // fanzha publishes refused messages with the reason
	StreamName      = "FANZHA_WARNINGS"
	ConsumerName    = "fanzha-intake"
)

// Embedded is a NATS server with JetStream running inside fanzha.
type Embedded struct {
	srv *server.Server
}

// StartEmbedded starts a NATS server on loopback (port 0 picks a free one)
// with JetStream stored under dir.
func StartEmbedded(dir string, port int) (*Embedded, error) {
	opts := &server.Options{
		ServerName: "fanzha-embedded",
		Host:       "127.0.0.1",
		Port:       port,
		JetStream:  true,
		StoreDir:   filepath.Join(dir, "nats"),
		NoSigs:     true,
		NoLog:      true,
	}
	if port == 0 {
		opts.Port = server.RANDOM_PORT
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("embedded NATS: %w", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(15 * time.Second) {
		srv.Shutdown()
		return nil, errors.New("embedded NATS did not start within 15 s")
	}
	return &Embedded{srv: srv}, nil
}

// URL is the client URL of the embedded server.
func (e *Embedded) URL() string { return e.srv.ClientURL() }

// Shutdown stops the embedded server.
func (e *Embedded) Shutdown() {
	e.srv.Shutdown()
	e.srv.WaitForShutdown()
}

// Connect opens a client connection with reconnects.
func Connect(url, name string) (*nats.Conn, error) {
	nc, err := nats.Connect(url, nats.Name(name), nats.MaxReconnects(-1), nats.ReconnectWait(time.Second))
	if err != nil {
		return nil, fmt.Errorf("connect to NATS %s: %w", url, err)
	}
	return nc, nil
}

// Replica counts of the stream and its consumer (--nats-replicas).
const (
	MaxReplicas              = 5 // JetStream's limit
	DefaultReplicasEmbedded  = 1 // the embedded server is a single node
	DefaultReplicasClustered = 3 // an external cluster: survives the loss of one node
)

// DefaultReplicas is the replica count used when --nats-replicas is not
// given (0): one on the embedded server (natsURL empty), three on an
// external cluster.
func DefaultReplicas(natsURL string) int {
	if natsURL == "" {
		return DefaultReplicasEmbedded
	}
	return DefaultReplicasClustered
}

// ResolveReplicas validates --nats-replicas (0: the default for natsURL).
func ResolveReplicas(flag int, natsURL string) (int, error) {
	if flag == 0 {
		return DefaultReplicas(natsURL), nil
	}
	if flag < 1 || flag > MaxReplicas {
		return 0, fmt.Errorf("--nats-replicas must be 1..%d, got %d", MaxReplicas, flag)
	}
	return flag, nil
}

// EnsureWait is how long EnsureStream retries a cluster that does not
// answer yet (a leader being elected, peers still joining, a node lost).
var EnsureWait = time.Minute

// EnsureStream creates (or updates) the warnings stream: file storage,
// kept until consumed, duplicates within 2 minutes dropped by message id,
// held on replicas servers (below 1 means 1). A stream that exists with
// another replica count is updated to this one, and the change is logged.
// While the cluster is not ready (timeouts, JetStream temporarily
// unavailable, not yet enough peers) it retries for up to EnsureWait:
// replicas started together with a new cluster wait for it instead of
// stopping; a refusal for good (a server that is not a cluster) returns at
// once.
func EnsureStream(ctx context.Context, js jetstream.JetStream, replicas int, log *slog.Logger) (jetstream.Stream, error) {
	if log == nil {
		log = slog.Default()
	}
	until := time.Now().Add(EnsureWait)
	for {
		// Each try has its own timeout: a request nobody answers (no
		// leader yet) must not take the caller's whole deadline.
		tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		st, err := ensureStreamOnce(tctx, js, replicas, log)
		cancel()
		if err == nil || !transientJSError(err) || ctx.Err() != nil || time.Now().After(until) {
			return st, err
		}
		log.Warn("warning stream: NATS not ready, retrying", "err", err)
		select {
		case <-time.After(time.Second):
		case <-ctx.Done():
			return nil, err
		}
	}
}

// transientJSError reports whether a JetStream API failure may pass by
// itself: no answer in time, no responder, or the server's answer that
// the cluster is not ready (temporarily unavailable, no peers yet).
func transientJSError(err error) bool {
	var api *jetstream.APIError
	if errors.As(err, &api) {
		return api.ErrorCode == jsErrCodeClusterNotAvail || api.ErrorCode == jsErrCodeClusterNoPeers
	}
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout) || errors.Is(err, nats.ErrNoResponders) ||
		errors.Is(err, jetstream.ErrNoStreamResponse) || errors.Is(err, nats.ErrConnectionReconnecting) || errors.Is(err, nats.ErrDisconnected)
}

func ensureStreamOnce(ctx context.Context, js jetstream.JetStream, replicas int, log *slog.Logger) (jetstream.Stream, error) {
	if replicas < 1 {
		replicas = 1
	}
	cfg := jetstream.StreamConfig{
		Name:       StreamName,
		Subjects:   []string{SubjectIn},
		Storage:    jetstream.FileStorage,
		Retention:  jetstream.WorkQueuePolicy,
		Duplicates: 2 * time.Minute,
		Replicas:   replicas,
	}
	var st jetstream.Stream
	old, err := js.Stream(ctx, StreamName)
	switch {
	case errors.Is(err, jetstream.ErrStreamNotFound):
		st, err = js.CreateStream(ctx, cfg)
	case err != nil:
		return nil, fmt.Errorf("look up stream %s: %w", StreamName, err)
	default:
		was := old.CachedInfo().Config.Replicas
		st, err = js.UpdateStream(ctx, cfg)
		if err == nil && was != replicas {
			log.Info("warning stream replicas changed", "stream", StreamName, "from", was, "to", replicas)
		}
	}
	if err != nil {
		return nil, replicaError(fmt.Errorf("create stream %s with %d replica(s): %w", StreamName, replicas, err), replicas)
	}
	return st, nil
}

// replicaError explains a refusal of more than one replica: a single NATS
// server (the embedded one, or an external server not in a cluster) holds
// one copy only.
func replicaError(err error, replicas int) error {
	var api *jetstream.APIError
	if replicas > 1 && errors.As(err, &api) && (api.ErrorCode == jsErrCodeReplicasNotSupported || api.ErrorCode == jsErrCodeClusterNotActive ||
		api.ErrorCode == jsErrCodeInsufficientResources || api.ErrorCode == jsErrCodeClusterNoPeers) {
		return fmt.Errorf("%w; the NATS server is not a JetStream cluster of at least %d nodes: run a cluster (docs/SETUP.md) or set --nats-replicas 1 (FANZHA_NATS_REPLICAS=1)", err, replicas)
	}
	return err
}

// JetStream error codes (nats-server) of a refused replica count.
const (
	jsErrCodeClusterNotActive      jetstream.ErrorCode = 10006 // JetStream not in clustered mode
	jsErrCodeInsufficientResources jetstream.ErrorCode = 10023 // fewer nodes than replicas
	jsErrCodeReplicasNotSupported  jetstream.ErrorCode = 10074 // replicas > 1 not supported in non-clustered mode
	jsErrCodeClusterNoPeers        jetstream.ErrorCode = 10005 // no suitable peers for placement (yet)
	jsErrCodeClusterNotAvail       jetstream.ErrorCode = 10008 // JetStream system temporarily unavailable
)

// Consumer takes warnings from the stream into the intake. A message is a
// warning's JSON (warning.Input), with an "instruction" object
// (instruction.Ref: level, number, issuer, sign_due, feedback_due) when the
// warning came as an instruction: its instruction is registered like an
// imported instruction file's.
type Consumer struct {
	JS     jetstream.JetStream
	NC     *nats.Conn
	Intake *warning.Intake
	// DB is the database of the intake, where instructions are registered.
	DB  *db.DB
	Log *slog.Logger
	// Batch is how many messages are taken per intake transaction.
	Batch int
	// Replicas of the stream and the durable consumer (below 1: 1).
	Replicas int
}

// Rejection is what fanzha publishes on SubjectRejected for a message it
// could not take.
type Rejection struct {
	Subject   string `json:"subject"`
	Sequence  uint64 `json:"sequence"`
	SourceRef string `json:"source_ref,omitempty"`
	Reason    string `json:"reason"`
	Payload   string `json:"payload,omitempty"`
}

// Run consumes until ctx ends. Each fetched batch goes through one intake
// transaction; messages are acknowledged after it commits. If the store
// fails, nothing is acknowledged and JetStream redelivers.
func (c *Consumer) Run(ctx context.Context) error {
	log := c.Log
	if log == nil {
		log = slog.Default()
	}
	replicas := max(c.Replicas, 1)
	// A cluster that is not ready (started with the replicas, or a node
	// lost) is waited for: the consumer does not stop for good on it.
	var cons jetstream.Consumer
	for {
		var err error
		cons, err = c.setup(ctx, replicas, log)
		if err == nil {
			break
		}
		if !transientJSError(err) || ctx.Err() != nil {
			return err
		}
		log.Warn("warning stream consumer: NATS not ready, retrying", "err", err)
		select {
		case <-time.After(2 * time.Second):
		case <-ctx.Done():
			return nil
		}
	}
	batch := c.Batch
	if batch <= 0 {
		batch = 2000
	}
	// A reader goroutine keeps messages flowing from the server (the client
	// buffers up to two batches ahead) while the previous batch commits:
	// fetching and storing overlap instead of taking turns.
	it, err := cons.Messages(jetstream.PullMaxMessages(2 * batch))
	if err != nil {
		return fmt.Errorf("consume %s: %w", ConsumerName, err)
	}
	defer it.Stop()
	ch := make(chan jetstream.Msg, 2*batch)
	go func() {
		defer close(ch)
		for {
			m, err := it.Next(jetstream.NextContext(ctx))
			if err != nil {
				if ctx.Err() != nil || errors.Is(err, jetstream.ErrMsgIteratorClosed) {
					return
				}
				log.Warn("stream fetch", "err", err)
				select {
				case <-time.After(time.Second):
					continue
				case <-ctx.Done():
					return
				}
			}
			select {
			case ch <- m:
			case <-ctx.Done():
				return
			}
		}
	}()
	for {
		var first jetstream.Msg
		select {
		case m, ok := <-ch:
			if !ok {
				return nil
			}
			first = m
		case <-ctx.Done():
			return nil
		}
		// Whatever else has arrived joins the batch: under load batches
		// grow, idle a single warning is stored at once.
		list := []jetstream.Msg{first}
	gather:
		for len(list) < batch {
			select {
			case m, ok := <-ch:
				if !ok {
					break gather
				}
				list = append(list, m)
			default:
				break gather
			}
		}
		if err := c.take(ctx, list, log); err != nil {
			log.Error("stream intake failed; messages will be redelivered", "err", err, "messages", len(list))
			for _, m := range list {
				_ = m.Nak()
			}
			select {
			case <-time.After(time.Second):
			case <-ctx.Done():
				return nil
			}
		}
	}
}

// setup makes sure of the stream and the durable consumer.
func (c *Consumer) setup(ctx context.Context, replicas int, log *slog.Logger) (jetstream.Consumer, error) {
	st, err := EnsureStream(ctx, c.JS, replicas, log)
	if err != nil {
		return nil, err
	}
	cons, err := st.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:       ConsumerName,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       60 * time.Second,
		MaxAckPending: 50000,
		Replicas:      replicas,
	})
	if err != nil {
		return nil, replicaError(fmt.Errorf("create consumer %s with %d replica(s): %w", ConsumerName, replicas, err), replicas)
	}
	return cons, nil
}

func (c *Consumer) take(ctx context.Context, list []jetstream.Msg, log *slog.Logger) error {
	inputs := make([]instruction.Incoming, 0, len(list))
	owner := make([]int, 0, len(list))
	var bad []int
	reasons := map[int]string{}
	for i, m := range list {
		var in instruction.Incoming
		if err := json.Unmarshal(m.Data(), &in); err != nil {
			bad = append(bad, i)
			reasons[i] = "消息不是有效的预警 JSON：" + err.Error()
			continue
		}
		if in.Instruction != nil {
			// An instruction that cannot be read refuses its message
			// alone, not the batch it arrived with.
			if err := in.Instruction.Check(); err != nil {
				bad = append(bad, i)
				reasons[i] = err.Error()
				continue
			}
			if c.DB == nil {
				bad = append(bad, i)
				reasons[i] = "本服务未配置数据库，无法登记指令"
				continue
			}
		}
		inputs = append(inputs, in)
		owner = append(owner, i)
	}
	who := auth.AuditEntry{Username: "stream:" + SubjectIn, IP: "nats"}
	sub, err := instruction.Submit(ctx, c.DB, c.Intake, inputs, warning.SubmitOptions{Door: "stream", Audit: &who}, time.Now())
	if err != nil {
		return err
	}
	res := sub.BatchResult
	for j, it := range res.Items {
		if it.Status == warning.ItemRejected {
			bad = append(bad, owner[j])
			reasons[owner[j]] = it.Error
		}
	}
	// Stored (or refused for good): acknowledge. Refused messages are
	// published with their reason so the sender can fix and resend.
	for _, i := range bad {
		m := list[i]
		meta, _ := m.Metadata()
		rej := Rejection{Subject: m.Subject(), Reason: reasons[i], Payload: truncate(string(m.Data()), 2000)}
		if meta != nil {
			rej.Sequence = meta.Sequence.Stream
		}
		b, _ := json.Marshal(rej)
		if err := c.NC.Publish(SubjectRejected, b); err != nil {
			log.Warn("publish rejection", "err", err)
		}
		log.Warn("stream warning refused", "reason", rej.Reason, "seq", rej.Sequence)
	}
	for _, m := range list {
		if err := m.Ack(); err != nil {
			log.Warn("ack", "err", err)
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
