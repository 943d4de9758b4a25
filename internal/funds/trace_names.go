package funds

import (
	"io"

	"github.com/fanzha/fanzha/internal/trace"
)

// Names internal/web (api_trace.go, errors_test.go) still uses from before
// the engine moved to internal/trace; new code uses the trace package's
// own names. Remove them once web names internal/trace itself.

// TraceOptions are trace.Options.
type TraceOptions = trace.Options

// TraceStart is trace.Start.
type TraceStart = trace.Start

// TransferCSVHeader is trace.TransferCSVHeader.
const TransferCSVHeader = trace.TransferCSVHeader

// ParseTraceRule is trace.ParseRule.
func ParseTraceRule(s string) (trace.Rule, error) { return trace.ParseRule(s) }

// Trace is trace.Trace.
func Trace(l *trace.Ledger, starts []trace.Start, opt trace.Options) (trace.Result, error) {
	return trace.Trace(l, starts, opt)
}

// LoadTransferCSV is trace.LoadTransferCSV.
func LoadTransferCSV(r io.Reader, sizeHint int) (*trace.Ledger, error) {
	return trace.LoadTransferCSV(r, sizeHint)
}
