package intel

import (
	"strconv"
	"testing"
)

// A hub (an app every gang uses) must not pull two gangs into one group:
// it is left out of the grouping and listed as a hub.
func TestHubsDoNotMergeGroups(t *testing.T) {
	b := NewGraphBuilder()
	var gangs [][]string
	for _, name := range []string{"a", "c"} {
		var accts []string
		var ids []int32
		for i := 0; i < 6; i++ {
			k := name + strconv.Itoa(i)
			accts = append(accts, k)
			ids = append(ids, b.Node(TCard, k))
		}
		for i := range ids {
			for j := i + 1; j < len(ids); j++ {
				b.Link(ids[i], ids[j], LTransfer, "")
			}
		}
		gangs = append(gangs, accts)
	}
	hub := b.Node(TApp, "会议宝")
	for _, gang := range gangs {
		for _, a := range gang {
			b.Link(hub, b.Node(TCard, a), LSameWarning, "")
		}
	}
	for i := 0; i <= HubDegree; i++ {
		// Many other warnings name the app with a phone each.
		b.Link(hub, b.Node(TPhone, "p"+strconv.Itoa(i)), LSameWarning, "")
	}
	g := b.Build()
	if hs := g.Hubs(); len(hs) != 1 || hs[0] != hub {
		t.Fatalf("hubs %v, want the app", hs)
	}
	ev := EvalGroups(g, gangs, 3)
	if ev.Purity != 1 || ev.Recall != 1 || ev.Largest != 6 {
		t.Fatalf("groups merged through the hub: %+v", ev)
	}
	comm := g.Communities(10)
	if comm[hub] != hub {
		t.Fatal("the hub took a label")
	}
}

func TestEvalGroupsPurityRecall(t *testing.T) {
	b := NewGraphBuilder()
	// Gang x: x0..x3, gang y: y0..y3. One found group holds x0..x3 and y0
	// (a chain), the other y1..y3.
	chain := func(keys ...string) {
		for i := 1; i < len(keys); i++ {
			u, v := b.Node(TCard, keys[i-1]), b.Node(TCard, keys[i])
			b.Link(u, v, LTransfer, "")
		}
	}
	chain("x0", "x1", "x2", "x3", "x0")
	chain("x2", "y0", "x3")
	chain("y1", "y2", "y3", "y1")
	g := b.Build()
	ev := EvalGroups(g, [][]string{{"x0", "x1", "x2", "x3"}, {"y0", "y1", "y2", "y3"}, {"z"}}, 3)
	if ev.Gangs != 2 || ev.Groups != 2 {
		t.Fatalf("%+v", ev)
	}
	// Purity (4 + 3) / 8; recall (4/4 + 3/4) / 2.
	if ev.Purity != 7.0/8 || ev.Recall != 0.875 {
		t.Fatalf("purity %v recall %v", ev.Purity, ev.Recall)
	}
}
