package native

import (
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/outdial/outdial"
)

// getRecording streams a call's recording. Call.Recording is a path under the data
// directory; it is opened through an os.Root on DataDir, so neither "..", an absolute
// path elsewhere nor a symbolic link can reach a file outside it.
func (h *Handler) getRecording(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) error {
	c, err := h.readCall(r, t)
	if err != nil {
		return err
	}
	noRecording := outdial.Errorf(outdial.ENOTFOUND, "the call has no recording")
	name, ok := h.recordingName(c.Recording)
	if !ok {
		return noRecording
	}
	root, err := os.OpenRoot(h.dataDir)
	if err != nil {
		return err
	}
	defer root.Close()
	f, err := root.Open(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) || strings.Contains(err.Error(), "escapes") {
			return noRecording
		}
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return noRecording
	}
	w.Header().Set("Content-Type", "audio/wav")
	w.Header().Set("Content-Disposition", `attachment; filename="`+filepath.Base(name)+`"`)
	http.ServeContent(w, r, "", st.ModTime(), f)
	return nil
}

// recordingName turns a stored recording path into a path relative to the data
// directory; false when there is none or it cannot be inside it.
func (h *Handler) recordingName(rec string) (string, bool) {
	if rec == "" || h.dataDir == "" {
		return "", false
	}
	if filepath.IsAbs(rec) {
		dir, err := filepath.Abs(h.dataDir)
		if err != nil {
			return "", false
		}
		if rec, err = filepath.Rel(dir, rec); err != nil {
			return "", false
		}
	}
	rec = filepath.Clean(rec)
	return rec, filepath.IsLocal(rec)
}
