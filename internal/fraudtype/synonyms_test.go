package fraudtype

import "testing"

func TestResolveSynonyms(t *testing.T) {
	cases := []struct {
		in   string
		want Code
		ok   bool
	}{
		{"investment", Investment, true},
		{"虚假网络投资理财", Investment, true},
		{"虚假投资理财", Investment, true},
		{"虚假投资理财类", Investment, true},
		{"虚假投资理财诈骗", Investment, true},
		{"投资理财", Investment, true},
		{"杀猪盘", Investment, true},
		{" 杀猪盘 ", Investment, true},
		{"“杀猪盘”", Investment, true},
		{"Fake online investment", Investment, true},
		{"刷单", Rebate, true},
		{"刷单返利类诈骗", Rebate, true},
		{"冒充客服", CustomerService, true},
		{"冒充公安", Police, true},
		{"冒充公检法类案件", Police, true},
		{"网贷", Loan, true},
		{"ＡＩ换脸", AIFace, true},
		{"ai换脸", AIFace, true},
		{"屏幕共享", ScreenShare, true},
		{"婚恋交友", Romance, true},
		{"其它", Other, true},
		{"冒充領導", Boss, true}, // traditional characters are folded
		{"", "", false},
		{"诈骗", "", false},
		{"电信网络诈骗", "", false},
		{"不存在的类型", "", false},
	}
	for _, tc := range cases {
		c, ok := Resolve(tc.in)
		if c != tc.want || ok != tc.ok {
			t.Errorf("Resolve(%q) = %q, %v; want %q, %v", tc.in, c, ok, tc.want, tc.ok)
		}
	}
	for _, typ := range All() {
		if len(Synonyms(typ.Code)) == 0 {
			t.Errorf("type %s has no synonyms", typ.Code)
		}
		for _, s := range Synonyms(typ.Code) {
			if c, ok := Resolve(s); !ok || c != typ.Code {
				t.Errorf("synonym %q of %s resolves to %q, %v", s, typ.Code, c, ok)
			}
		}
	}
}

func FuzzResolve(f *testing.F) {
	for _, s := range []string{"杀猪盘", "虚假投资理财类诈骗", "", "诈骗", "\xff", "ＡＩ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, ok := Resolve(s)
		if ok != Valid(c) {
			t.Fatalf("Resolve(%q) = %q, %v", s, c, ok)
		}
	})
}
