package web

import (
	"reflect"
	"testing"
)

func TestNotices(t *testing.T) {
	var many []int64
	for i := int64(1); i <= 3000; i++ {
		many = append(many, 1_000_000_000+i)
	}
	for _, ids := range [][]int64{{7}, {1, 22, 333}, many} {
		ps := Notices("abc", ids)
		var got []int64
		for _, p := range ps {
			if len(p) > MaxNotice {
				t.Fatalf("payload of %d bytes", len(p))
			}
			o, part, ok := ParseNotice(p)
			if !ok || o != "abc" {
				t.Fatalf("parse %q: %v %q", p, ok, o)
			}
			got = append(got, part...)
		}
		if !reflect.DeepEqual(got, ids) {
			t.Fatalf("round trip of %d ids gave %d", len(ids), len(got))
		}
	}
	for _, bad := range []string{"", "abc", ":1", "abc:", "abc:1,x", "abc:-4"} {
		if _, _, ok := ParseNotice(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}
