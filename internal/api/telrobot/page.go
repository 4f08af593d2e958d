package telrobot

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/outdial/outdial"
)

// Pagination of list routes: ?page= (from 1) and ?per_page= (1 to MaxPerPage).
const (
	DefaultPerPage = 15
	MaxPerPage     = 100
	maxPage        = 1000000
)

// pageOut is a page of a list, as Laravel paginates resources: the items in data, links
// to the first, last, previous and next pages, and meta with the counts.
type pageOut[T any] struct {
	Data  []T       `json:"data"`
	Links pageLinks `json:"links"`
	Meta  pageMeta  `json:"meta"`
}

// pageLinks are absolute URLs of other pages; prev and next are null at the ends.
type pageLinks struct {
	First string  `json:"first"`
	Last  string  `json:"last"`
	Prev  *string `json:"prev"`
	Next  *string `json:"next"`
}

// pageMeta counts the list: from and to are the 1-based positions of the page's first and
// last items (null for an empty page), total the items of the whole list.
type pageMeta struct {
	CurrentPage int    `json:"current_page"`
	From        *int   `json:"from"`
	LastPage    int    `json:"last_page"`
	Path        string `json:"path"`
	PerPage     int    `json:"per_page"`
	To          *int   `json:"to"`
	Total       int64  `json:"total"`
}

// pageQuery is the page a list request asks for.
type pageQuery struct{ page, perPage int }

// parsePage reads ?page= and ?per_page=; other query parameters are ignored.
func parsePage(q url.Values) (pageQuery, error) {
	var fe fieldErrors
	num := func(key string, def, lo, hi int) int {
		s := strings.TrimSpace(q.Get(key))
		if s == "" {
			return def
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < lo || n > hi {
			fe.add(key, "%s must be a whole number from %d to %d", key, lo, hi)
			return def
		}
		return n
	}
	p := pageQuery{page: num("page", 1, 1, maxPage), perPage: num("per_page", DefaultPerPage, 1, MaxPerPage)}
	return p, fe.err()
}

// skip returns the key after which the page's items start, walking the list in steps of
// 1000 keys; ok is false when the list ends before.
func (p pageQuery) skip(ctx context.Context, list func(context.Context, outdial.Page) ([]int64, error)) (after int64, ok bool, err error) {
	n := (p.page - 1) * p.perPage
	for n > 0 {
		keys, err := list(ctx, outdial.Page{After: after, Limit: min(n, 1000)})
		if err != nil {
			return 0, false, err
		}
		if len(keys) == 0 {
			return 0, false, nil
		}
		after, n = keys[len(keys)-1], n-len(keys)
	}
	return after, true, nil
}

// slice returns the page's part of a whole list.
func (p pageQuery) slice(n int) (lo, hi int) {
	lo = min((p.page-1)*p.perPage, n)
	return lo, min(lo+p.perPage, n)
}

// out wraps one page of items of a list of total items.
func pageOf[T any](h *Handler, r *http.Request, p pageQuery, items []T, total int64) pageOut[T] {
	base := strings.TrimSuffix(h.baseURL, "/")
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	path := base + r.URL.Path
	last := max(1, int((total+int64(p.perPage)-1)/int64(p.perPage)))
	link := func(n int) string { return path + "?page=" + strconv.Itoa(n) + "&per_page=" + strconv.Itoa(p.perPage) }
	out := pageOut[T]{Data: items, Links: pageLinks{First: link(1), Last: link(last)},
		Meta: pageMeta{CurrentPage: p.page, LastPage: last, Path: path, PerPage: p.perPage, Total: total}}
	if out.Data == nil {
		out.Data = []T{}
	}
	if p.page > 1 {
		prev := link(min(p.page-1, last))
		out.Links.Prev = &prev
	}
	if p.page < last {
		next := link(p.page + 1)
		out.Links.Next = &next
	}
	if len(items) > 0 {
		from := (p.page-1)*p.perPage + 1
		to := from + len(items) - 1
		out.Meta.From, out.Meta.To = &from, &to
	}
	return out
}
