package db

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Notifications between replicas: PostgreSQL's LISTEN/NOTIFY, on a
// channel named after the schema so that several fanzha databases (or test
// schemas) in one PostgreSQL never hear each other. On SQLite there is one
// process and nothing to tell: Notify does nothing and Listen returns at
// once.

// channel is the schema-qualified name of a notification channel.
func (d *DB) channel(ctx context.Context, name string) (string, error) {
	var schema string
	if err := d.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return "", fmt.Errorf("notification channel: %w", err)
	}
	ch := "fanzha_" + name + "_" + schema
	if len(ch) > 63 { // PostgreSQL's identifier limit; pg_notify refuses longer names
		h := fnv.New64a()
		h.Write([]byte(schema))
		ch = fmt.Sprintf("fanzha_%s_%x", name, h.Sum64())
	}
	return ch, nil
}

// Notify sends payload (at most 7,900 bytes) to every process listening on
// channel name, this one included.
func (d *DB) Notify(ctx context.Context, name, payload string) error {
	if d.Dialect != Postgres {
		return nil
	}
	ch, err := d.channel(ctx, name)
	if err != nil {
		return err
	}
	if _, err := d.ExecContext(ctx, `SELECT pg_notify($1, $2)`, ch, payload); err != nil {
		return fmt.Errorf("notify %s: %w", name, err)
	}
	return nil
}

// Listen calls fn with the payload of each notification on channel name
// until ctx ends, on a connection of its own; after a lost connection it
// listens again (notifications sent meanwhile are missed: listeners must
// treat them as hints, as the duty board does). ready, when not nil, is
// closed once the first LISTEN is in place. On SQLite it returns at once.
func (d *DB) Listen(ctx context.Context, name string, fn func(payload string), ready chan<- struct{}, onErr func(error)) {
	if d.Dialect != Postgres {
		if ready != nil {
			close(ready)
		}
		return
	}
	for ctx.Err() == nil {
		err := d.listenOnce(ctx, name, fn, &ready)
		if ctx.Err() != nil {
			return
		}
		if onErr != nil {
			onErr(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

func (d *DB) listenOnce(ctx context.Context, name string, fn func(string), ready *chan<- struct{}) error {
	ch, err := d.channel(ctx, name)
	if err != nil {
		return err
	}
	conn, err := d.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return errors.New("listen: not a pgx connection")
		}
		pc := sc.Conn()
		if _, err := pc.Exec(ctx, "LISTEN "+pgx.Identifier{ch}.Sanitize()); err != nil {
			return err
		}
		// The connection goes back to the pool afterwards: stop listening
		// on it (a broken connection is dropped by the pool anyway).
		defer func() {
			uctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			_, _ = pc.Exec(uctx, "UNLISTEN *")
		}()
		if *ready != nil {
			close(*ready)
			*ready = nil
		}
		for {
			n, err := pc.WaitForNotification(ctx)
			if err != nil {
				return err
			}
			fn(n.Payload)
		}
	})
}
