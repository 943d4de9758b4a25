// Package crawl walks the console as one signed-in person would: it starts
// at the home page and the navigation, follows every same-site link and
// checks every form's action, and records each page's status, time and
// visible text. The all-roles crawl test (internal/web) and
// `fanzha bench pages` both use it.
//
// Forms are checked without side effects: a GET form is followed with its
// default values; a POST form is probed with a body that carries no CSRF
// token. The console checks the role's capability before anything else
// (403 「当前角色无权执行此操作」), then the CSRF token (403 「CSRF 校验失败」),
// so the probe tells a form the role may use from one it may not, and an
// unknown action (404/405) from both, without ever running the handler.
package crawl

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	"golang.org/x/net/html"
)

// Page is one GET answered during the crawl.
type Page struct {
	URL      string
	From     string // the page whose link led here ("" for the start)
	Status   int
	HTML     bool
	Duration time.Duration
	Text     []string // visible text runs (HTML pages only)
}

// Dead is a link or form action the role was shown but cannot use.
type Dead struct {
	Method string
	URL    string
	From   string
	Status int
	Detail string
}

func (d Dead) String() string {
	return fmt.Sprintf("%s %s → %d (linked from %s) %s", d.Method, d.URL, d.Status, d.From, d.Detail)
}

// Result is what one role's crawl found.
type Result struct {
	Pages []Page
	Dead  []Dead
	Forms int // POST form actions probed
}

// Options bound the crawl.
type Options struct {
	// PerShape is how many URLs of one shape are fetched: the path with
	// its numbers replaced and its query's names (/cases/N?page=), so
	// every kind of page is visited without walking every record. 0 means 2.
	PerShape int
	// MaxPages stops the crawl (0 means 2,000).
	MaxPages int
	// Skip reports URLs not to follow (their status is not checked).
	Skip func(u *url.URL) bool
}

// Client is a signed-in console session.
type Client struct {
	Base string
	HTTP *http.Client
}

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// Login signs in through the login form, as a browser does.
func Login(ctx context.Context, base, username, password string) (*Client, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	c := &Client{Base: strings.TrimRight(base, "/"), HTTP: &http.Client{Jar: jar, Timeout: 60 * time.Second}}
	req, _ := http.NewRequestWithContext(ctx, "GET", c.Base+"/login", nil)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfInput.FindSubmatch(b)
	if m == nil {
		return nil, fmt.Errorf("login page %d: no csrf_token", resp.StatusCode)
	}
	form := url.Values{"csrf_token": {string(m[1])}, "username": {username}, "password": {password}, "next": {"/"}}
	req, _ = http.NewRequestWithContext(ctx, "POST", c.Base+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if strings.HasPrefix(resp.Request.URL.Path, "/login") {
		return nil, fmt.Errorf("login %s failed (%d, at %s)", username, resp.StatusCode, resp.Request.URL)
	}
	return c, nil
}

// Crawl walks everything reachable from the home page.
func (c *Client) Crawl(ctx context.Context, opt Options) (*Result, error) {
	if opt.PerShape == 0 {
		opt.PerShape = 2
	}
	if opt.MaxPages == 0 {
		opt.MaxPages = 2000
	}
	base, err := url.Parse(c.Base)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	type item struct{ u, from string }
	queue := []item{{"/", ""}}
	seen := map[string]bool{"/": true}
	shapes := map[string]int{"/": 1}
	probed := map[string]bool{}
	enqueue := func(raw, from string) {
		u, ok := sameSite(base, from, raw)
		if !ok || (opt.Skip != nil && opt.Skip(u)) {
			return
		}
		key := u.RequestURI()
		if seen[key] {
			return
		}
		sh := shape(u)
		if shapes[sh] >= opt.PerShape {
			return
		}
		seen[key] = true
		shapes[sh]++
		queue = append(queue, item{key, from})
	}
	for len(queue) > 0 && len(res.Pages) < opt.MaxPages {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		it := queue[0]
		queue = queue[1:]
		pg, doc, err := c.get(ctx, it.u)
		if err != nil {
			return res, err
		}
		pg.From = it.from
		res.Pages = append(res.Pages, pg)
		if pg.Status == http.StatusForbidden || pg.Status == http.StatusNotFound || pg.Status >= 500 {
			res.Dead = append(res.Dead, Dead{Method: "GET", URL: it.u, From: it.from, Status: pg.Status, Detail: errorText(pg.Text)})
			continue
		}
		if doc == nil {
			continue
		}
		for _, l := range links(doc) {
			enqueue(l, it.u)
		}
		for _, f := range forms(doc) {
			if f.method == "GET" {
				enqueue(f.action+f.query(), it.u)
				continue
			}
			u, ok := sameSite(base, it.u, f.action)
			if !ok || (opt.Skip != nil && opt.Skip(u)) {
				continue
			}
			key := "POST " + u.Path
			if probed[key] {
				continue
			}
			probed[key] = true
			res.Forms++
			d, err := c.probe(ctx, u.RequestURI(), f.multipart)
			if err != nil {
				return res, err
			}
			if d != nil {
				d.From = it.u
				res.Dead = append(res.Dead, *d)
			}
		}
	}
	return res, nil
}

func (c *Client) get(ctx context.Context, path string) (Page, *html.Node, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", c.Base+path, nil)
	if err != nil {
		return Page{}, nil, err
	}
	t0 := time.Now()
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return Page{}, nil, fmt.Errorf("GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return Page{}, nil, fmt.Errorf("GET %s: %w", path, err)
	}
	pg := Page{URL: path, Status: resp.StatusCode, Duration: time.Since(t0)}
	if strings.HasPrefix(resp.Request.URL.Path, "/login") && !strings.HasPrefix(path, "/login") {
		return pg, nil, fmt.Errorf("GET %s: the session ended (sent to %s)", path, resp.Request.URL)
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		return pg, nil, nil
	}
	pg.HTML = true
	doc, err := html.Parse(strings.NewReader(string(body)))
	if err != nil {
		return pg, nil, fmt.Errorf("GET %s: %w", path, err)
	}
	pg.Text = VisibleText(doc)
	return pg, doc, nil
}

// probe posts to a form's action without the CSRF token: the capability
// check answers first, so a 403 that is not the CSRF refusal, a 404 or 405
// or a 5xx is a form the role cannot use.
func (c *Client) probe(ctx context.Context, path string, multipart bool) (*Dead, error) {
	var req *http.Request
	if multipart {
		body := "--crawlprobe\r\nContent-Disposition: form-data; name=\"probe\"\r\n\r\n1\r\n--crawlprobe--\r\n"
		req, _ = http.NewRequestWithContext(ctx, "POST", c.Base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "multipart/form-data; boundary=crawlprobe")
	} else {
		req, _ = http.NewRequestWithContext(ctx, "POST", c.Base+path, strings.NewReader("probe=1"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	cl := *c.HTTP
	cl.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := cl.Do(req)
	if err != nil {
		return nil, fmt.Errorf("POST %s: %w", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	body := string(b)
	switch {
	case resp.StatusCode == http.StatusForbidden && strings.Contains(body, "CSRF"):
		return nil, nil // the role may use it; only the token was missing
	case resp.StatusCode == http.StatusForbidden, resp.StatusCode == http.StatusNotFound,
		resp.StatusCode == http.StatusMethodNotAllowed, resp.StatusCode >= 500:
		detail := ""
		if doc, err := html.Parse(strings.NewReader(body)); err == nil {
			detail = errorText(VisibleText(doc))
		}
		return &Dead{Method: "POST", URL: path, Status: resp.StatusCode, Detail: detail}, nil
	}
	return nil, nil
}

// errorText is the message of a console error page, for reports.
func errorText(text []string) string {
	for _, t := range text {
		if strings.Contains(t, "无权") || strings.Contains(t, "不存在") || strings.Contains(t, "没有") || strings.Contains(t, "出错") {
			return t
		}
	}
	return ""
}

// sameSite resolves a link against the page it is on and keeps it when it
// stays on the console.
func sameSite(base *url.URL, from, raw string) (*url.URL, bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" || strings.HasPrefix(raw, "#") {
		return nil, false
	}
	ref, err := url.Parse(raw)
	if err != nil {
		return nil, false
	}
	fromURL := base
	if from != "" {
		if f, err := base.Parse(from); err == nil {
			fromURL = f
		}
	}
	u := fromURL.ResolveReference(ref)
	if u.Scheme != base.Scheme || u.Host != base.Host {
		return nil, false
	}
	if strings.HasPrefix(u.Path, "/static/") {
		return nil, false
	}
	u.Fragment = ""
	return u, true
}

var digits = regexp.MustCompile(`[0-9]+`)

// shape is a URL with its numbers replaced and its query reduced to the
// sorted names of its parameters.
func shape(u *url.URL) string {
	p := digits.ReplaceAllString(u.Path, "N")
	// Record references that are not numbers (AJ…, group refs) keep only
	// their first segment and the number of segments.
	q := u.Query()
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	sort.Strings(names)
	return p + "?" + strings.Join(names, "&")
}

func attr(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

func walk(n *html.Node, f func(*html.Node) bool) {
	if !f(n) {
		return
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, f)
	}
}

// links are the href of every <a> and <area> (downloads included).
func links(doc *html.Node) []string {
	var out []string
	walk(doc, func(n *html.Node) bool {
		if n.Type == html.ElementNode && (n.Data == "a" || n.Data == "area") {
			if h, ok := attr(n, "href"); ok && !strings.HasPrefix(h, "javascript:") && !strings.HasPrefix(h, "tel:") && !strings.HasPrefix(h, "mailto:") {
				out = append(out, h)
			}
		}
		return true
	})
	return out
}

type form struct {
	method, action string
	multipart      bool
	fields         url.Values
}

func (f form) query() string {
	if len(f.fields) == 0 {
		return ""
	}
	if strings.Contains(f.action, "?") {
		return "&" + f.fields.Encode()
	}
	return "?" + f.fields.Encode()
}

// forms lists every form with its method, action and (for GET forms) the
// values it would send untouched: inputs with a value, checked boxes and
// each select's selected (or first) option.
func forms(doc *html.Node) []form {
	var out []form
	walk(doc, func(n *html.Node) bool {
		if n.Type != html.ElementNode || n.Data != "form" {
			return true
		}
		f := form{method: "GET", fields: url.Values{}}
		if m, ok := attr(n, "method"); ok && strings.EqualFold(m, "post") {
			f.method = "POST"
		}
		f.action, _ = attr(n, "action")
		if et, _ := attr(n, "enctype"); strings.EqualFold(et, "multipart/form-data") {
			f.multipart = true
		}
		if f.method == "GET" {
			walk(n, func(c *html.Node) bool {
				if c.Type != html.ElementNode {
					return true
				}
				name, _ := attr(c, "name")
				if name == "" {
					return true
				}
				switch c.Data {
				case "input":
					typ, _ := attr(c, "type")
					v, _ := attr(c, "value")
					switch strings.ToLower(typ) {
					case "submit", "button", "reset", "file", "image":
					case "checkbox", "radio":
						if _, on := attr(c, "checked"); on {
							if v == "" {
								v = "on"
							}
							f.fields.Add(name, v)
						}
					default:
						if v != "" {
							f.fields.Add(name, v)
						}
					}
				case "select":
					first, chosen := "", ""
					has := false
					walk(c, func(o *html.Node) bool {
						if o.Type == html.ElementNode && o.Data == "option" {
							v, ok := attr(o, "value")
							if !ok {
								v = textOf(o)
							}
							if !has {
								first, has = v, true
							}
							if _, sel := attr(o, "selected"); sel && chosen == "" {
								chosen = v
							}
						}
						return true
					})
					if chosen == "" {
						chosen = first
					}
					if chosen != "" {
						f.fields.Add(name, chosen)
					}
					return false
				}
				return true
			})
		}
		out = append(out, f)
		return true
	})
	return out
}

func textOf(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) bool {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
		return true
	})
	return strings.TrimSpace(b.String())
}

// VisibleText is the text a person reads on the page: text nodes outside
// scripts and styles, placeholders, the title and alt texts and the labels
// of buttons. Literal input in <code>, <kbd> or <samp> and content marked translate="no" (user names, account and file
// names: data, not words of the console) is left out.
func VisibleText(doc *html.Node) []string {
	var out []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	walk(doc, func(n *html.Node) bool {
		switch n.Type {
		case html.ElementNode:
			switch n.Data {
			case "script", "style", "noscript", "template", "head", "code", "kbd", "samp":
				// code, kbd and samp are literal input (a file's column,
				// a setting's syntax), not words of the console.
				return false
			}
			if v, ok := attr(n, "translate"); ok && v == "no" {
				return false
			}
			for _, a := range []string{"placeholder", "title", "alt", "aria-label"} {
				if v, ok := attr(n, a); ok {
					add(v)
				}
			}
			if n.Data == "input" {
				if t, _ := attr(n, "type"); t == "submit" || t == "button" {
					v, _ := attr(n, "value")
					add(v)
				}
			}
		case html.TextNode:
			add(n.Data)
		}
		return true
	})
	return out
}
