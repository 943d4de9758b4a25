package backup

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The canonical row encoding: one JSON array per line, the values in the
// table's columns sorted by name; integers as JSON numbers, text as JSON
// strings, bytes as {"b64":"…"}, NULL as null, other floats as numbers in
// their shortest form. Both engines give the same line for the same row,
// so a table's SHA-256 (over its lines, each ending in "\n", rows in id
// order — or sorted by their encoding when the table has no id) compares a
// SQLite county with its PostgreSQL copy.

// encodeValue appends the canonical form of a value read by database/sql.
func encodeValue(b *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case int32:
		b.WriteString(strconv.FormatInt(int64(x), 10))
	case int:
		b.WriteString(strconv.Itoa(x))
	case bool:
		if x {
			b.WriteByte('1')
		} else {
			b.WriteByte('0')
		}
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			b.WriteString(strconv.FormatInt(int64(x), 10))
		} else {
			b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
		}
	case string:
		return writeJSONString(b, x)
	case []byte:
		b.WriteString(`{"b64":"`)
		b.WriteString(base64.StdEncoding.EncodeToString(x))
		b.WriteString(`"}`)
	case time.Time:
		return writeJSONString(b, x.UTC().Format(time.RFC3339Nano))
	default:
		return fmt.Errorf("unsupported column value of type %T", v)
	}
	return nil
}

func writeJSONString(b *bytes.Buffer, s string) error {
	enc, err := json.Marshal(s)
	if err != nil {
		return err
	}
	// json.Marshal escapes <, > and & for HTML; undo nothing — the form is
	// the same on every side, which is all the checksum needs.
	b.Write(enc)
	return nil
}

// decodeLine parses one canonical line into values to insert.
func decodeLine(line []byte, ncols int) ([]any, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var raw []any
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("bad row: %w", err)
	}
	if len(raw) != ncols {
		return nil, fmt.Errorf("bad row: %d values for %d columns", len(raw), ncols)
	}
	out := make([]any, len(raw))
	for i, v := range raw {
		switch x := v.(type) {
		case nil, string:
			out[i] = x
		case json.Number:
			if n, err := x.Int64(); err == nil {
				out[i] = n
			} else if f, err := x.Float64(); err == nil {
				out[i] = f
			} else {
				return nil, fmt.Errorf("bad number %s", x)
			}
		case map[string]any:
			s, ok := x["b64"].(string)
			if !ok || len(x) != 1 {
				return nil, fmt.Errorf("bad value %v", x)
			}
			bs, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return nil, fmt.Errorf("bad bytes: %w", err)
			}
			out[i] = bs
		default:
			return nil, fmt.Errorf("bad value %v", v)
		}
	}
	return out, nil
}

// TableSum is a table's row count and checksum.
type TableSum struct {
	Name    string   `json:"name"`
	Columns []string `json:"columns"`
	Rows    int64    `json:"rows"`
	SHA256  string   `json:"sha256"`
}

// dumpTable reads a table in canonical order and writes its lines to w
// (which may be io.Discard), returning the count and checksum.
func dumpTable(ctx context.Context, r reader, t table, w io.Writer) (TableSum, error) {
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = quote(c)
	}
	q := `SELECT ` + strings.Join(cols, ", ") + ` FROM ` + quote(t.Name)
	if t.HasID {
		q += ` ORDER BY id`
	}
	rows, err := r.QueryContext(ctx, q)
	if err != nil {
		return TableSum{}, fmt.Errorf("read %s: %w", t.Name, err)
	}
	defer rows.Close()
	h := sha256.New()
	out := io.MultiWriter(h, w)
	sum := TableSum{Name: t.Name, Columns: t.Columns}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var unsorted [][]byte // tables without id: sorted by encoding at the end
	var b bytes.Buffer
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return TableSum{}, fmt.Errorf("read %s: %w", t.Name, err)
		}
		b.Reset()
		b.WriteByte('[')
		for i, v := range vals {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := encodeValue(&b, v); err != nil {
				return TableSum{}, fmt.Errorf("read %s.%s: %w", t.Name, t.Columns[i], err)
			}
		}
		b.WriteString("]\n")
		sum.Rows++
		if !t.HasID {
			unsorted = append(unsorted, bytes.Clone(b.Bytes()))
			continue
		}
		if _, err := out.Write(b.Bytes()); err != nil {
			return TableSum{}, err
		}
	}
	if err := rows.Err(); err != nil {
		return TableSum{}, fmt.Errorf("read %s: %w", t.Name, err)
	}
	if !t.HasID {
		sort.Slice(unsorted, func(i, j int) bool { return bytes.Compare(unsorted[i], unsorted[j]) < 0 })
		for _, l := range unsorted {
			if _, err := out.Write(l); err != nil {
				return TableSum{}, err
			}
		}
	}
	sum.SHA256 = hex.EncodeToString(h.Sum(nil))
	return sum, nil
}
