package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/fanzha/fanzha/internal/domain"
)

// A member unit chooses its own webhook address, and fanzha then makes
// requests to it from inside the centre's network: without a guard a bank
// could point its webhook at 127.0.0.1:22, the database or a cloud metadata
// address and use fanzha to reach them (SSRF). Guard refuses such addresses
// twice: when the address is saved (CheckURL, with a clear message) and when
// each connection is made (the dialer's Control sees the address actually
// dialled, after DNS resolution, so a name that resolves to a public address
// at save time and to 127.0.0.1 later — DNS rebinding — is still refused).
// Redirects are not followed. A deployment whose banks are reached over a
// private network (a government extranet) allow-lists those networks in
// the settings (webhooks.allow_networks).
//
// The escalation webhooks of the settings are set by the centre admin and
// are trusted: they are delivered without the guard (a WeCom proxy on the
// intranet is a normal setup).

// ErrBlockedAddress is returned for an address a unit webhook may not reach.
var ErrBlockedAddress = errors.New("blocked address")

// Guard decides which addresses a member unit's webhook may reach.
type Guard struct {
	// Allowed returns the networks the admin allow-listed; nil: none.
	Allowed func(ctx context.Context) []netip.Prefix
}

// blocked are the networks refused unless allow-listed, beyond what
// netip.Addr's predicates cover: shared address space (carrier NAT), the
// "this network" block, benchmarking, reserved and broadcast.
var blocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"), // NAT64: would reach any IPv4 address
}

// PublicAddr reports whether an address is a public unicast one: not
// loopback, private, link-local, unspecified, multicast or reserved.
func PublicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range blocked {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// CheckAddr refuses an address that is not public unless allow-listed.
func (g Guard) CheckAddr(ctx context.Context, ip netip.Addr) error {
	ip = ip.Unmap()
	if PublicAddr(ip) {
		return nil
	}
	if g.Allowed != nil {
		for _, p := range g.Allowed(ctx) {
			if p.Contains(ip) {
				return nil
			}
		}
	}
	return fmt.Errorf("%w %s", ErrBlockedAddress, ip)
}

// CheckURL is the save-time check of a webhook address: an http(s) URL
// whose host, literal or resolved, is allowed. A name that does not
// resolve now is accepted (the receiver may not be up yet); the dial-time
// check covers it. The error is Chinese, for the person who typed it.
func (g Guard) CheckURL(ctx context.Context, raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return domain.Invalid("推送地址应为 http(s) URL")
	}
	if u.User != nil {
		return domain.Invalid("推送地址不能包含用户名或密码")
	}
	host := u.Hostname()
	var addrs []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{ip}
	} else {
		h := strings.ToLower(strings.TrimSuffix(host, "."))
		if h == "localhost" || strings.HasSuffix(h, ".localhost") {
			return domain.Invalid("推送地址不能指向本机（%s）", host)
		}
		// 127.1, 2130706433, 0x7f.1: numeric forms some resolvers take for
		// addresses. No top-level domain is numeric.
		last := h[strings.LastIndex(h, ".")+1:]
		if last == "" || strings.Trim(last, "0123456789") == "" || strings.HasPrefix(last, "0x") {
			return domain.Invalid("推送地址的主机名 %s 无效", host)
		}
		rctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		addrs, _ = net.DefaultResolver.LookupNetIP(rctx, "ip", host)
	}
	for _, ip := range addrs {
		if err := g.CheckAddr(ctx, ip); err != nil {
			return domain.Invalid("推送地址 %s 指向本机、内网或保留地址（%s），不允许；如确需推送到内网，请中心管理员在系统设置中把该网段加入允许列表", host, ip.Unmap())
		}
	}
	return nil
}

// control is the dialer's check of the address actually dialled.
func (g Guard) control(ctx context.Context, network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w %s", ErrBlockedAddress, address)
	}
	return g.CheckAddr(ctx, ap.Addr())
}

// Client is an HTTP client for unit webhooks: every connection checked by
// the guard, no proxy from the environment (the proxy would be dialled
// instead of the receiver), no redirects followed (a 3xx is a failed
// delivery).
func (g Guard) Client(timeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second, ControlContext: g.control}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          20,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: timeout,
	}
	return &http.Client{Transport: tr, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
