package domain

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestKinds(t *testing.T) {
	cases := []struct {
		make     func(string, ...any) *Error
		kind     Kind
		sentinel *Error
		code     string
	}{
		{Invalid, KindInvalid, ErrInvalid, "invalid"},
		{Unauthenticated, KindUnauthenticated, ErrUnauthenticated, "unauthenticated"},
		{Forbidden, KindForbidden, ErrForbidden, "forbidden"},
		{NotFound, KindNotFound, ErrNotFound, "not_found"},
		{Conflict, KindConflict, ErrConflict, "conflict"},
		{TooLarge, KindTooLarge, ErrTooLarge, "too_large"},
		{func(f string, a ...any) *Error { return Refuse("refused", f, a...) }, KindRule, ErrRule, "refused"},
	}
	if len(cases) != len(Kinds) {
		t.Fatalf("the table covers %d kinds, there are %d", len(cases), len(Kinds))
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			err := c.make("第 %d 行：手机号 %q 无效", 3, "123")
			const want = `第 3 行：手机号 "123" 无效`
			if err.Kind != c.kind || err.Error() != want {
				t.Fatalf("got kind %v text %q, want %v %q", err.Kind, err.Error(), c.kind, want)
			}
			if c.kind.String() != c.code || c.kind.Sentinel() != c.sentinel {
				t.Errorf("kind %d: code %q sentinel %v", c.kind, c.kind.String(), c.kind.Sentinel())
			}
			// Wrapped with context, the error keeps its kind and message.
			wrapped := fmt.Errorf("case 7: %w", err)
			for _, s := range []*Error{ErrInvalid, ErrUnauthenticated, ErrForbidden, ErrNotFound, ErrConflict, ErrTooLarge, ErrRule} {
				// A rule refusal is invalid input too.
				want := s == c.sentinel || (s == ErrInvalid && c.kind == KindRule)
				if got := errors.Is(wrapped, s); got != want {
					t.Errorf("errors.Is(%v, %v) = %v", wrapped, s, got)
				}
			}
			if e, ok := As(wrapped); !ok || e.Kind != c.kind || e.Msg != want || e.CodeOf() != c.code {
				t.Errorf("As = %+v %v", e, ok)
			}
			if e := err.WithCode("bad_credentials"); e.CodeOf() != "bad_credentials" || !errors.Is(e, c.sentinel) || err.CodeOf() != c.code {
				t.Errorf("WithCode: %q, original %q", e.CodeOf(), err.CodeOf())
			}
			if Message(wrapped) != want {
				t.Errorf("Message = %q", Message(wrapped))
			}
			// A bare sentinel wrapped with context: the kind, no message.
			if e, ok := As(fmt.Errorf("warning 5: %w", c.sentinel)); !ok || e.Kind != c.kind || e.Msg != "" {
				t.Errorf("As(sentinel) = %+v %v", e, ok)
			}
			// Another error of the kind is not the same error.
			if errors.Is(err, c.make("别的")) {
				t.Errorf("two messages of one kind compare equal")
			}
		})
	}
}

func TestCauses(t *testing.T) {
	marker := errors.New("trace input")
	inner := Conflict("账号 %s 已停用", "li")
	err := Invalid("第 %d 行：%w", 2, inner).With(marker)
	if err.Error() != "第 2 行：账号 li 已停用" {
		t.Fatalf("text %q", err.Error())
	}
	if !errors.Is(err, marker) || !errors.Is(err, inner) || !errors.Is(err, ErrConflict) || !errors.Is(err, ErrInvalid) {
		t.Errorf("causes lost: %v", err)
	}
	// The outermost error decides the kind and the message.
	if e, _ := As(err); e.Kind != KindInvalid || e.Msg != "第 2 行：账号 li 已停用" {
		t.Errorf("As = %+v", e)
	}
	if Message(errors.New("disk full")) != "disk full" {
		t.Errorf("Message of a plain error")
	}
	if _, ok := As(errors.New("disk full")); ok {
		t.Errorf("a plain error is not of the family")
	}
}

// A message written after a kind's sentinel, fmt.Errorf("%w: 手机号无效",
// domain.ErrInvalid), never reaches the reader (who gets the kind's
// standard text): such refusals are made with the constructors.
func TestNoMessageAfterSentinel(t *testing.T) {
	bad := regexp.MustCompile(`Errorf\("[^"]*%w: [^"]*", *(domain\.)?Err(Invalid|Unauthenticated|Forbidden|NotFound|Conflict|TooLarge|Rule)\b`)
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		for i, line := range strings.Split(string(src), "\n") {
			if bad.MatchString(line) {
				t.Errorf("%s:%d: message after a sentinel; use domain.Invalid(…) and the like: %s", path, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Fatalf("walked only %d files under %s", n, root)
	}
}
