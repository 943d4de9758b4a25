package instruction_test

import (
	"bytes"
	"testing"

	"github.com/fanzha/fanzha/internal/instruction"
)

func TestParseLayout(t *testing.T) {
	for _, c := range []struct {
		text string
		cols int
		bad  bool
	}{
		{"编号=指令编号\n结果=处置结果\n挽损=kept", 3, false},
		{"编号=number", 1, false},
		{"结果=处置结果", 0, true},        // no instruction number: the issuer cannot match rows
		{"编号=指令编号\n乱码=颜色", 0, true}, // unknown field
		{"编号", 0, true},
		{"", 0, true},
	} {
		l, err := instruction.ParseLayout("市局", c.text)
		if (err != nil) != c.bad || (!c.bad && len(l.Columns) != c.cols) {
			t.Errorf("ParseLayout(%q) = %+v, %v", c.text, l, err)
		}
	}
	// A custom layout round-trips its own columns.
	l, _ := instruction.ParseLayout("市局", "编号=指令编号\n挽损=kept\n联系上=是否联系上")
	var b bytes.Buffer
	in := []instruction.Report{{Number: "Z-1", KeptFen: 123456, Reached: true}, {Number: "=cmd", KeptFen: 0}}
	if err := instruction.WriteFile(&b, l, in); err != nil {
		t.Fatal(err)
	}
	out, err := instruction.ReadFile("x.xlsx", &b, l)
	if err != nil || len(out) != 2 || out[0] != in[0] || out[1].Number != "'=cmd" {
		t.Fatalf("custom layout read back %+v %v", out, err)
	}
}
