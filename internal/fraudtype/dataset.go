package fraudtype

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// datasetLabels maps the class names of the public Telecom_Fraud_Texts_5
// set (Li, Zhang, Jiang 2024) onto the taxonomy, so that files in its layout
// can be read directly. Its loan class ("贷款、代办信用卡类") maps to Loan;
// the evaluation also accepts Credit for it (see Evaluate).
var datasetLabels = map[string]string{
	"冒充公检法及政府机关类": string(Police),
	"贷款、代办信用卡类":   string(Loan),
	"冒充客服服务":      string(CustomerService),
	"冒充领导、熟人类":    string(Boss),
}

// normalLabels are the spellings of "not a scam" accepted in label columns.
var normalLabels = map[string]bool{
	"0": true, "normal": true, "正常": true, "正常短信": true, "正常信息": true, "非诈骗": true, "not_scam": true, "ham": true,
}

// ParseLabel maps a label as found in a CSV file to a class label: Normal
// for "0", "正常", "normal" and the like; a taxonomy code for a code, a
// Chinese name of the taxonomy, or a class name of the public
// Telecom_Fraud_Texts_5 set.
func ParseLabel(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if normalLabels[strings.ToLower(s)] {
		return Normal, true
	}
	if c, ok := datasetLabels[s]; ok {
		return c, true
	}
	if c, ok := Parse(s); ok {
		return string(c), true
	}
	return "", false
}

// decodeText returns data as UTF-8: valid UTF-8 is taken as it is (less a
// byte-order mark), anything else is decoded as GBK (GB18030), the encoding
// of Chinese Windows exports.
func decodeText(data []byte) (string, error) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if utf8.Valid(data) {
		return string(data), nil
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil {
		return "", fmt.Errorf("neither UTF-8 nor GBK: %w", err)
	}
	return string(out), nil
}

// csvRow is one row of a labelled CSV file.
type csvRow struct {
	content, label string
	line           int
}

// readCSV reads a labelled CSV file: a header naming the columns "content"
// and "label" (or 内容 / 文本 and 标签 / 类别), or no header, in which case
// the first column is the text and the second the label.
func readCSV(path string) ([]csvRow, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("fraudtype: %w", err)
	}
	text, err := decodeText(data)
	if err != nil {
		return nil, fmt.Errorf("fraudtype: %s: %w", path, err)
	}
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	ci, li := 0, 1
	var rows []csvRow
	for first := true; ; first = false {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("fraudtype: %s: %w", path, err)
		}
		line, _ := r.FieldPos(0)
		if first {
			if c, l, ok := headerColumns(rec); ok {
				ci, li = c, l
				continue
			}
		}
		if len(rec) <= max(ci, li) {
			if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
				continue
			}
			return nil, fmt.Errorf("fraudtype: %s:%d: %d columns, want content and label", path, line, len(rec))
		}
		rows = append(rows, csvRow{content: rec[ci], label: rec[li], line: line})
	}
	return rows, nil
}

// headerColumns finds the text and label columns in a header row.
func headerColumns(rec []string) (content, label int, ok bool) {
	content, label = -1, -1
	for i, h := range rec {
		switch strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF"))) {
		case "content", "text", "内容", "文本":
			content = i
		case "label", "type", "标签", "类别", "类型":
			label = i
		}
	}
	return content, label, content >= 0 && label >= 0
}

// csvFiles lists the *.csv files of a folder in name order.
func csvFiles(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.csv"))
	if err != nil {
		return nil, fmt.Errorf("fraudtype: %w", err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("fraudtype: no *.csv files in %s", dir)
	}
	sort.Strings(files)
	return files, nil
}

// ReadDir reads every *.csv file of a folder (in name order) as labelled
// examples. Rows with an empty text are skipped; a row with a label that
// ParseLabel does not know is an error naming its file and line.
func ReadDir(dir string) ([]Example, error) {
	files, err := csvFiles(dir)
	if err != nil {
		return nil, err
	}
	var out []Example
	for _, f := range files {
		rows, err := readCSV(f)
		if err != nil {
			return nil, err
		}
		for _, row := range rows {
			if strings.TrimSpace(row.content) == "" {
				continue
			}
			label, ok := ParseLabel(row.label)
			if !ok {
				return nil, fmt.Errorf("fraudtype: %s:%d: unknown label %q", f, row.line, row.label)
			}
			out = append(out, Example{Text: row.content, Label: label})
		}
	}
	return out, nil
}
