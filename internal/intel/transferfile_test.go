package intel

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
)

func TestTransfersAsStatement(t *testing.T) {
	in := "sourceNodeId,targetNodeId,value,time\n1,2,147.8,1\n3,,5,2\n4,5,-1,2\n"
	var out bytes.Buffer
	if err := TransfersAsStatement(strings.NewReader(in), AMLSimMapping, &out); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 7 {
		t.Fatalf("%d records, want header + 2 per transfer", len(recs))
	}
	if got := strings.Join(recs[1], "|"); got != "AML1|2025-01-02 12:00:00|-147.80|AML2|转账 第2行" {
		t.Fatalf("payer row %q", got)
	}
	if got := strings.Join(recs[2], "|"); got != "AML2|2025-01-02 12:00:00|147.80|AML1|转账 第2行" {
		t.Fatalf("payee row %q", got)
	}
	// Rows without a payee or with a non-positive amount get no time, so
	// the importer reports them as bad.
	for _, r := range recs[3:] {
		if r[1] != "" {
			t.Fatalf("bad transfer written with a time: %q", r)
		}
	}
	if err := TransfersAsStatement(strings.NewReader("a,b\n1,2\n"), AMLSimMapping, &out); err == nil {
		t.Fatal("a header without the mapped columns was accepted")
	}
}

// FuzzTransfersAsStatement: any bytes give statement rows or an error,
// never a panic, and every row written has the statement's five columns.
func FuzzTransfersAsStatement(f *testing.F) {
	f.Add([]byte("sourceNodeId,targetNodeId,value,time\n1,2,147.8,1\n"))
	f.Add([]byte("sourceNodeId,targetNodeId,value,time\n\"1,2,x,\n"))
	f.Add([]byte{0xef, 0xbb, 0xbf, 's', ',', 't'})
	f.Fuzz(func(t *testing.T, b []byte) {
		var out bytes.Buffer
		if err := TransfersAsStatement(bytes.NewReader(b), AMLSimMapping, &out); err != nil {
			return
		}
		recs, err := csv.NewReader(&out).ReadAll()
		if err != nil {
			t.Fatalf("output is not CSV: %v", err)
		}
		for _, r := range recs {
			if len(r) != 5 {
				t.Fatalf("record %q", r)
			}
		}
	})
}

// FuzzReadAMLSimNodes: any bytes give labels or an error, never a panic.
func FuzzReadAMLSimNodes(f *testing.F) {
	f.Add([]byte("nodeid,isFraud,init_balance,fraudStep\n0,0,1.0,-1\n1,1,2,5\n"))
	f.Add([]byte("nodeid,isFraud\nx,y\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := readAMLSimNodes(bytes.NewReader(b))
		if err == nil && m == nil {
			t.Fatal("nil labels without an error")
		}
	})
}
