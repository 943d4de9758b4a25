package fraudtype

import "testing"

func TestTaxonomyData(t *testing.T) {
	types := All()
	if len(types) != 16 {
		t.Fatalf("%d types", len(types))
	}
	seen := map[Code]bool{}
	for _, typ := range types {
		if seen[typ.Code] || typ.Name == "" || typ.NameEN == "" || typ.Definition == "" || len(typ.Phrases) < 3 {
			t.Errorf("incomplete or duplicate type %+v", typ)
		}
		seen[typ.Code] = true
		if c, ok := Parse(typ.Name); !ok || c != typ.Code {
			t.Errorf("Parse(%q) = %q, %v", typ.Name, c, ok)
		}
	}
	if Valid(Code(Normal)) {
		t.Error("the normal class must not be a fraud type")
	}
	// Callers get copies.
	types[0].Phrases[0] = "changed"
	if p := Phrases(types[0].Code); p[0] == "changed" || All()[0].Phrases[0] == "changed" {
		t.Error("All shares its phrase slices with the taxonomy")
	}
	if Phrases("nonsense") != nil {
		t.Error("phrases of an unknown code")
	}
}
