package api

import (
	"errors"
	"net/http"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/web"
)

func (s *handler) handleAreasImportAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	name, rd, cleanup, err := web.TreeUpload(w, r)
	defer cleanup()
	if err != nil {
		return err
	}
	rep, err := area.Import(r.Context(), s.DB, p.Scope, s.AreaAuditor(r, p), name, rd)
	if errors.Is(err, area.ErrBadRows) {
		web.WriteJSON(w, http.StatusUnprocessableEntity, rep)
		return nil
	}
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, rep)
	return nil
}

func (s *handler) handleAreasExportAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return s.ExportTree(w, r, p, r.URL.Query().Get("format"))
}

// The JSON API of the same edits.

type areaAddRequest struct {
	ParentID int64 `json:"parent_id"`
	area.NodeInput
}

func (s *handler) handleAreaAddAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var req areaAddRequest
	if err := web.DecodeJSON(r, &req, 1<<16); err != nil {
		return err
	}
	n, err := area.AddChild(r.Context(), s.DB, p.Scope, s.AreaAuditor(r, p), req.ParentID, req.NodeInput)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"area": n})
	return nil
}

func (s *handler) handleAreaEditAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	var in area.NodeInput
	if err := web.DecodeJSON(r, &in, 1<<16); err != nil {
		return err
	}
	n, err := area.Update(r.Context(), s.DB, p.Scope, s.AreaAuditor(r, p), id, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"area": n})
	return nil
}

func (s *handler) handleAreaMoveAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	var req struct {
		ParentID int64 `json:"parent_id"`
	}
	if err := web.DecodeJSON(r, &req, 1<<16); err != nil {
		return err
	}
	n, err := area.Move(r.Context(), s.DB, p.Scope, s.AreaAuditor(r, p), id, req.ParentID)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"area": n})
	return nil
}

func (s *handler) handleAreaMergeAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	var req struct {
		IntoID int64 `json:"into_id"`
	}
	if err := web.DecodeJSON(r, &req, 1<<16); err != nil {
		return err
	}
	rep, err := area.Merge(r.Context(), s.DB, p.Scope, s.AreaAuditor(r, p), id, req.IntoID, s.Now())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, rep)
	return nil
}

func (s *handler) handleAreaRetireAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	k, err := area.Retire(r.Context(), s.DB, p.Scope, s.AreaAuditor(r, p), id, s.Now())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"retired": k})
	return nil
}

func (s *handler) handleBoundariesAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	src, cleanup, err := web.BoundaryUpload(r)
	defer cleanup()
	if err != nil {
		return err
	}
	rep, err := area.ImportBoundaries(r.Context(), s.DB, p.Scope, s.AreaAuditor(r, p), src)
	if errors.Is(err, area.ErrBadBoundaries) {
		web.WriteJSON(w, http.StatusUnprocessableEntity, rep)
		return nil
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return web.ErrTreeTooLarge
	}
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, rep)
	return nil
}
