package fraudtype

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"slices"
)

// Normal is the class label of texts that are not scams. It is a class of
// the classifier, not a fraud type of the taxonomy (Valid(Normal) is false).
const Normal = "normal"

// ModelInfo records how a model was trained, so that a model file can be
// traced to the exact corpus and settings that produced it.
type ModelInfo struct {
	Seed         uint64   // shuffling seed of the trainer
	Epochs       int      // passes over the examples
	Examples     int      // number of training examples
	CorpusSHA256 [32]byte // digest of the training examples (label, text) in order
}

// Model is a multinomial logistic regression over hashed features. Weights
// are stored per feature bucket as one row of int8 values (one per class)
// with a float32 scale, which keeps the shipped file a few MB and a row
// within one cache line when scoring.
type Model struct {
	classes []string  // class labels: Normal or taxonomy codes
	bias    []float32 // one per class
	rowOf   []int32   // feature bucket -> row, -1 when the bucket has no weights
	scale   []float32 // one per row
	q       []int8    // rows x classes
	rowSum  []int32   // sum of each row's q, for the explanation's mean weight
	info    ModelInfo
}

// Classes returns the class labels of the model, Normal first when present.
func (m *Model) Classes() []string { return slices.Clone(m.classes) }

// Info returns how the model was trained.
func (m *Model) Info() ModelInfo { return m.info }

// Rows returns the number of feature buckets with non-zero weights.
func (m *Model) Rows() int { return len(m.scale) }

// classIndex returns the index of a class label, or -1.
func (m *Model) classIndex(label string) int {
	return slices.Index(m.classes, label)
}

// logits computes the class scores of a feature list into out (len = number
// of classes). Each occurrence weighs 1/sqrt(number of features), so that a
// long case narrative and a short SMS land on the same scale.
func (m *Model) logits(fs []feature, out []float32) {
	copy(out, m.bias)
	if len(fs) == 0 {
		return
	}
	k := len(m.classes)
	v := float32(1 / math.Sqrt(float64(len(fs))))
	for _, f := range fs {
		r := m.rowOf[f.idx]
		if r < 0 {
			continue
		}
		s := m.scale[r] * v
		row := m.q[int(r)*k : int(r)*k+k]
		for c, w := range row {
			out[c] += s * float32(w)
		}
	}
}

// sumRows fills rowSum from q.
func (m *Model) sumRows() {
	k := len(m.classes)
	m.rowSum = make([]int32, len(m.scale))
	for r := range m.rowSum {
		for _, w := range m.q[r*k : r*k+k] {
			m.rowSum[r] += int32(w)
		}
	}
}

// The model file: magic, then little-endian fields, then a CRC-32 of all
// preceding bytes.
//
//	magic "FZFTMDL1"
//	u32 feature signature, u8 feature bits
//	u64 seed, u32 epochs, u32 examples, [32]byte corpus digest
//	u16 classes, each u8 length + bytes
//	f32 bias per class
//	u32 rows, each: uvarint bucket delta, f32 scale, i8 per class
//	u32 CRC-32 (IEEE)
const modelMagic = "FZFTMDL1"

// MarshalBinary encodes the model in the file format above. The encoding is
// deterministic: the same model gives the same bytes.
func (m *Model) MarshalBinary() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(modelMagic)
	le := binary.LittleEndian
	b.Write(le.AppendUint32(nil, featureSignature))
	b.WriteByte(featureBits)
	b.Write(le.AppendUint64(nil, m.info.Seed))
	b.Write(le.AppendUint32(nil, uint32(m.info.Epochs)))
	b.Write(le.AppendUint32(nil, uint32(m.info.Examples)))
	b.Write(m.info.CorpusSHA256[:])
	if len(m.classes) > math.MaxUint16 {
		return nil, fmt.Errorf("fraudtype: %d classes is too many", len(m.classes))
	}
	b.Write(le.AppendUint16(nil, uint16(len(m.classes))))
	for _, c := range m.classes {
		if len(c) > 255 {
			return nil, fmt.Errorf("fraudtype: class label %q too long", c)
		}
		b.WriteByte(byte(len(c)))
		b.WriteString(c)
	}
	for _, x := range m.bias {
		b.Write(le.AppendUint32(nil, math.Float32bits(x)))
	}
	b.Write(le.AppendUint32(nil, uint32(len(m.scale))))
	prev := -1
	for idx, r := range m.rowOf {
		if r < 0 {
			continue
		}
		b.Write(binary.AppendUvarint(nil, uint64(idx-prev)))
		prev = idx
		b.Write(le.AppendUint32(nil, math.Float32bits(m.scale[r])))
		for _, w := range m.q[int(r)*len(m.classes) : int(r+1)*len(m.classes)] {
			b.WriteByte(byte(w))
		}
	}
	b.Write(le.AppendUint32(nil, crc32.ChecksumIEEE(b.Bytes())))
	return b.Bytes(), nil
}

// errModel wraps every decoding failure.
var errModel = errors.New("fraudtype: bad model file")

// UnmarshalModel decodes a model file. It fails when the file is damaged or
// was trained with a different feature extraction than this code's.
func UnmarshalModel(data []byte) (*Model, error) {
	if len(data) < len(modelMagic)+4 || string(data[:len(modelMagic)]) != modelMagic {
		return nil, fmt.Errorf("%w: not a fanzha fraud-type model", errModel)
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, fmt.Errorf("%w: checksum mismatch (file damaged or truncated)", errModel)
	}
	r := &reader{b: body[len(modelMagic):]}
	sig := r.u32()
	bits := r.u8()
	if r.err == nil && (sig != featureSignature || bits != featureBits) {
		return nil, fmt.Errorf("%w: trained with feature signature %08x, this build uses %08x: retrain the model", errModel, sig, featureSignature)
	}
	m := &Model{}
	m.info.Seed = r.u64()
	m.info.Epochs = int(r.u32())
	m.info.Examples = int(r.u32())
	copy(m.info.CorpusSHA256[:], r.bytes(32))
	k := int(r.u16())
	if r.err == nil && k < 2 {
		return nil, fmt.Errorf("%w: %d classes", errModel, k)
	}
	for range k {
		m.classes = append(m.classes, string(r.bytes(int(r.u8()))))
	}
	m.bias = make([]float32, k)
	for i := range m.bias {
		m.bias[i] = math.Float32frombits(r.u32())
	}
	rows := int(r.u32())
	if r.err == nil && rows > 1<<featureBits {
		return nil, fmt.Errorf("%w: %d rows", errModel, rows)
	}
	m.rowOf = make([]int32, 1<<featureBits)
	for i := range m.rowOf {
		m.rowOf[i] = -1
	}
	m.scale = make([]float32, 0, rows)
	m.q = make([]int8, 0, rows*k)
	idx := -1
	for i := 0; i < rows && r.err == nil; i++ {
		idx += int(r.uvarint())
		if idx < 0 || idx > featureMask {
			return nil, fmt.Errorf("%w: bucket %d out of range", errModel, idx)
		}
		m.rowOf[idx] = int32(i)
		m.scale = append(m.scale, math.Float32frombits(r.u32()))
		for _, w := range r.bytes(k) {
			m.q = append(m.q, int8(w))
		}
	}
	if r.err != nil {
		return nil, fmt.Errorf("%w: %v", errModel, r.err)
	}
	m.sumRows()
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", errModel, len(r.b))
	}
	for _, c := range m.classes {
		if c != Normal && !Valid(Code(c)) {
			return nil, fmt.Errorf("%w: unknown class %q", errModel, c)
		}
	}
	return m, nil
}

// LoadModelFile reads a model file.
func LoadModelFile(path string) (*Model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("fraudtype: read model: %w", err)
	}
	m, err := UnmarshalModel(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// reader decodes the model file, remembering the first error.
type reader struct {
	b   []byte
	err error
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil {
		return make([]byte, n)
	}
	if n > len(r.b) {
		r.err = errors.New("unexpected end of file")
		return make([]byte, n)
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) u8() uint8   { return r.bytes(1)[0] }
func (r *reader) u16() uint16 { return binary.LittleEndian.Uint16(r.bytes(2)) }
func (r *reader) u32() uint32 { return binary.LittleEndian.Uint32(r.bytes(4)) }
func (r *reader) u64() uint64 { return binary.LittleEndian.Uint64(r.bytes(8)) }
func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errors.New("bad varint")
		return 0
	}
	r.b = r.b[n:]
	return v
}
