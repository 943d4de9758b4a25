package bulletin

import (
	"context"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/assess"
	"github.com/fanzha/fanzha/internal/db"
)

// LeagueCell is one graded figure of a unit as the bulletin and the 大屏
// show it: the text (a rate as a percentage, "—" with nothing to measure)
// and the colour.
type LeagueCell struct {
	Key        string        `json:"key"`
	Text       string        `json:"text"`
	Colour     assess.Colour `json:"colour"`
	ColourName string        `json:"colour_name"`
}

// LeagueLine is one unit of the league as shown: its colour (the worst of
// its figures) and a cell per figure in assess.Figures order.
type LeagueLine struct {
	AreaID     int64         `json:"area_id"`
	Name       string        `json:"name"`
	Colour     assess.Colour `json:"colour"`
	ColourName string        `json:"colour_name"`
	Cells      []LeagueCell  `json:"cells"`
}

// LeagueColumn names a figure column.
type LeagueColumn struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

// leagueColumns are the figure columns, in assess.Figures order.
func leagueColumns() []LeagueColumn {
	out := make([]LeagueColumn, 0, len(assess.Figures))
	for _, f := range assess.Figures {
		out = append(out, LeagueColumn{Key: f.Key, Name: f.Name})
	}
	return out
}

// leagueLines writes the rows of assess's league as shown, same rows,
// same order, same colours.
func leagueLines(lg assess.League) []LeagueLine {
	out := make([]LeagueLine, 0, len(lg.Rows))
	for _, r := range lg.Rows {
		l := LeagueLine{AreaID: r.AreaID, Name: r.Name, Colour: r.Colour, ColourName: assess.ColourName(r.Colour)}
		for _, f := range assess.Figures {
			v := r.Figures[f.Key]
			c := LeagueCell{Key: f.Key, Text: "—", Colour: v.Colour, ColourName: assess.ColourName(v.Colour)}
			if v.Den > 0 {
				c.Text = f.Text(v.Value)
			}
			l.Cells = append(l.Cells, c)
		}
		out = append(out, l)
	}
	return out
}

// leagueTable is 七、考核排名: the league of the node's stations (a
// station's towns) for the bulletin's period, each figure with its colour
// in words, so the printed page and the workbook carry the grading too.
func leagueTable(lg assess.League) Table {
	t := Table{ID: "league", Title: "七、考核排名", Header: []string{"单位", "综合"}}
	for _, c := range leagueColumns() {
		t.Header = append(t.Header, c.Name)
	}
	for _, l := range leagueLines(lg) {
		row := []string{l.Name, l.ColourName}
		for _, c := range l.Cells {
			if c.Colour == assess.None {
				row = append(row, c.Text)
				continue
			}
			row = append(row, c.Text+"（"+c.ColourName+"）")
		}
		t.Rows = append(t.Rows, row)
	}
	if len(t.Rows) == 0 {
		row := []string{"本级无下属考核单位", "—"}
		for range assess.Figures {
			row = append(row, "—")
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// LeagueBoard is the league the 大屏 shows: this month so far, the units
// with their colours and cells, and how many units have each colour.
type LeagueBoard struct {
	From    time.Time      `json:"from"`
	To      time.Time      `json:"to"`
	Label   string         `json:"label"`
	Columns []LeagueColumn `json:"columns"`
	Lines   []LeagueLine   `json:"lines"`
	Red     int            `json:"red"`
	Orange  int            `json:"orange"`
	Yellow  int            `json:"yellow"`
	Green   int            `json:"green"`
}

// ComputeDashboardLeague is the 大屏's league of scope: the calendar month
// of now (local) up to now, graded as assess.Compute grades it.
func ComputeDashboardLeague(ctx context.Context, q db.Querier, scope area.Node, now time.Time, loc *time.Location) (LeagueBoard, error) {
	l := now.In(loc)
	from := time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, loc)
	to := now
	if !to.After(from) {
		to = from.Add(time.Minute)
	}
	b := LeagueBoard{From: from, To: to, Label: from.Format("2006年1月") + "（截至 " + l.Format("01-02 15:04") + "）",
		Columns: leagueColumns(), Lines: []LeagueLine{}}
	lg, err := assess.Compute(ctx, q, scope, from, to)
	if err != nil {
		return b, err
	}
	b.Lines = leagueLines(lg)
	for _, x := range b.Lines {
		switch x.Colour {
		case assess.Red:
			b.Red++
		case assess.Orange:
			b.Orange++
		case assess.Yellow:
			b.Yellow++
		case assess.Green:
			b.Green++
		}
	}
	return b, nil
}
