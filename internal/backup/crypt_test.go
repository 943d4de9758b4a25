package backup

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/warning"
	"github.com/fanzha/fanzha/internal/zone"
)

func newTestKey(t *testing.T) Key {
	t.Helper()
	k, _, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestEncryptedArchive: an archive made with a key holds no victim's phone
// number in clear (the same archive without a key does, once unzipped),
// restores with its key on both engines with the audit chain intact, and
// is refused clearly without its key, with a wrong key, and when altered
// or cut.
func TestEncryptedArchive(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, src *db.DB) {
		ctx := context.Background()
		in := county(t, src)
		const phone = "13800000007"
		if _, err := in.Submit(ctx, []warning.Input{input(7)}, warning.SubmitOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := auth.SealAudit(ctx, src, time.Now()); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		plain, sealed := filepath.Join(dir, "plain.tar.gz"), filepath.Join(dir, "sealed.tar.gz.enc")
		if _, err := Create(ctx, src, plain, Options{}); err != nil {
			t.Fatal(err)
		}
		key, old := newTestKey(t), newTestKey(t)
		if _, err := Create(ctx, src, sealed, Options{Key: &key}); err != nil {
			t.Fatal(err)
		}
		pb, _ := os.ReadFile(plain)
		if !bytes.Contains(gunzip(t, pb), []byte(phone)) {
			t.Fatal("control: the phone is not in the unencrypted archive")
		}
		eb, _ := os.ReadFile(sealed)
		if bytes.Contains(eb, []byte(phone)) || bytes.Contains(eb, []byte("manifest.json")) || bytes.Contains(eb, []byte("王秀英")) {
			t.Fatal("the encrypted archive holds clear text")
		}
		if _, err := gzip.NewReader(bytes.NewReader(eb)); err == nil {
			t.Fatal("the encrypted archive is a gzip stream")
		}

		// Without a key, with a wrong key: refused, naming the key id.
		if _, err := Verify(sealed); !errors.Is(err, ErrKey) || !strings.Contains(err.Error(), "is encrypted (key id "+key.ID) {
			t.Fatalf("verify without a key: %v", err)
		}
		if _, err := Verify(sealed, old); !errors.Is(err, ErrKey) || !strings.Contains(err.Error(), "encrypted with key id "+key.ID) {
			t.Fatalf("verify with a wrong key: %v", err)
		}
		wrong := t.TempDir()
		dstWrong, err := db.Open(ctx, "", wrong)
		if err != nil {
			t.Fatal(err)
		}
		defer dstWrong.Close()
		if _, err := Restore(ctx, dstWrong, sealed, wrong, old); !errors.Is(err, ErrKey) {
			t.Fatalf("restore with a wrong key: %v", err)
		}
		// After a rotation the old and new keys are both given: the
		// archive's own is used.
		if m, err := Verify(sealed, old, key); err != nil || len(m.Tables) == 0 {
			t.Fatalf("verify with the key among others: %v", err)
		}
		// A plain archive still verifies when keys are given.
		if _, err := Verify(plain, key); err != nil {
			t.Fatalf("plain archive with a key given: %v", err)
		}

		// Altered or cut: corrupt.
		flipped := bytes.Clone(eb)
		flipped[len(flipped)/2] ^= 1
		cut := eb[:len(eb)-100]
		for name, b := range map[string][]byte{"flipped": flipped, "cut": cut, "header only": eb[:encHeaderSize]} {
			p := filepath.Join(dir, name+".enc")
			if err := os.WriteFile(p, b, 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := Verify(p, key); !errors.Is(err, ErrCorrupt) {
				t.Errorf("%s: %v, want ErrCorrupt", name, err)
			}
		}

		// Restore with the key, into each engine.
		check := func(t *testing.T, dst *db.DB) {
			var got string
			if err := dst.QueryRow(ctx, `SELECT person_phone FROM warnings WHERE source_ref = 'U-7'`).Scan(&got); err != nil || got != phone {
				t.Fatalf("restored warning: %q %v", got, err)
			}
			if rep, err := auth.VerifyAudit(ctx, dst); err != nil || !rep.OK() || rep.Sealed == 0 {
				t.Fatalf("audit chain after an encrypted restore: %+v %v", rep, err)
			}
		}
		t.Run("into sqlite", func(t *testing.T) {
			dd := t.TempDir()
			dst, err := db.Open(ctx, "", dd)
			if err != nil {
				t.Fatal(err)
			}
			defer dst.Close()
			if _, err := Restore(ctx, dst, sealed, dd, key); err != nil {
				t.Fatal(err)
			}
			check(t, dst)
		})
		if dbtest.PostgresURL() != "" {
			t.Run("into postgres", func(t *testing.T) {
				dst := dbtest.Postgres(t)
				if _, err := Restore(ctx, dst, sealed, t.TempDir(), key); err != nil {
					t.Fatal(err)
				}
				check(t, dst)
			})
		}
	})
}

func TestKeyFiles(t *testing.T) {
	dir := t.TempDir()
	k, text, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "backup.key")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := ReadKeyFile(p)
	if err != nil || got.ID != k.ID || len(got.ID) != 16 {
		t.Fatalf("read key file: %+v %v", got, err)
	}
	if err := os.Chmod(p, 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadKeyFile(p); err != nil {
		t.Fatalf("group-readable key file (root:fanzha 0640): %v", err)
	}
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadKeyFile(p); !errors.Is(err, ErrKey) || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("world-readable key file: %v", err)
	}
	for in, ok := range map[string]bool{
		strings.Repeat("ab", 32):                       true,
		"  " + strings.Repeat("0F", 32) + "\n":         true,
		"q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=": true, // base64 of 32 bytes
		strings.Repeat("ab", 31):                       false,
		"secret":                                       false,
		"":                                             false,
	} {
		if _, err := ParseKey([]byte(in)); (err == nil) != ok {
			t.Errorf("ParseKey(%q) = %v", in, err)
		}
	}
}

// TestNightlyEncrypted: the nightly backup honours its key: the archive is
// named .tar.gz.enc, verifies only with the key, and counts for retention.
func TestNightlyEncrypted(t *testing.T) {
	d := dbtest.SQLite(t)
	county(t, d)
	key := newTestKey(t)
	loc := zone.Shanghai
	dir := t.TempDir()
	now := time.Date(2026, 12, 1, 3, 0, 0, 0, loc)
	n := &Nightly{DB: d, Dir: dir, Keep: 1, Hour: 2, Minute: 30, Loc: loc, Host: "a", Key: &key,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now }}
	var outs []string
	for day := 0; day < 2; day++ {
		now = time.Date(2026, 12, 1+day, 3, 0, 0, 0, loc)
		out, err := n.Tick(context.Background())
		if err != nil || !strings.HasSuffix(out, ".tar.gz.enc") {
			t.Fatalf("nightly: %q %v", out, err)
		}
		outs = append(outs, out)
	}
	if _, err := Verify(outs[1]); !errors.Is(err, ErrKey) {
		t.Fatalf("nightly archive without its key: %v", err)
	}
	if _, err := Verify(outs[1], key); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(outs[0]); !os.IsNotExist(err) {
		t.Fatalf("retention kept the older encrypted archive: %v", err)
	}
}
