package intel

import (
	_ "embed"
	"encoding/json"
	"fmt"
)

// amlsimWeights are weights fitted on the labels of both public AMLSim
// folders of ../shared/data/amlsim-20k (20K_cycle200 and 20K_fanin200)
// together, rebuilt with
//
//	fanzha intel fit --amlsim DATA/20K_cycle200 --amlsim DATA/20K_fanin200 --out internal/intel/amlsim_weights.json
//
// fanzha intel eval uses them by default, so that a graph of the same kind
// that was not among them is scored independently. The figures reported
// for the two public folders are cross-fits (fit on one, report on the
// other), never these in-sample weights. A centre's own scoring uses the
// built-in weights or those fitted on its analysts' labels.
//
//go:embed amlsim_weights.json
var amlsimWeights []byte

// AMLSimWeights returns the shipped AMLSim weights.
func AMLSimWeights() (Weights, error) {
	w := DefaultWeights()
	if err := json.Unmarshal(amlsimWeights, &w); err != nil {
		return w, fmt.Errorf("shipped AMLSim weights: %w", err)
	}
	return w, nil
}
