package upload

import (
	"context"
	"errors"

	"github.com/pdfcpu/pdfcpu/pkg/filter"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// maxStreamBytes bounds what one stream of a PDF may inflate to. A few
// kilobytes of deflated zeros inflate to megabytes, and a PDF may hold
// thousands of such streams, so the total is bounded too, by a budget.
const maxStreamBytes = 16 * MB

// budget bounds, in inflated bytes, the work a PDF may cause.
type budget struct {
	// streams bounds page contents, fonts and other streams but images,
	// which are inflated and dropped. Legitimate content inflates three
	// to ten times.
	streams int64
	// objects bounds object streams, whose content pdfcpu parses and
	// keeps when validation reaches it. Parsing is what costs: an array
	// of zeros 4 MB long took 0.5 s and 160 MB to parse, and 16 MB took
	// 3 s and 500 MB. The object streams of scans and payslips inflate
	// to kilobytes, those of long office documents to a megabyte or so.
	objects int64
}

var defaultBudget = budget{streams: 256 * MB, objects: 4 * MB}

var errBudget = errors.New("upload: PDF streams inflate past the limit")

// inflateStreams inflates every stream of a PDF but images, so as to
// refuse compressed data that is corrupt, such as a page's content cut
// short, and a PDF whose streams would take too much work to validate.
// pdfcpu's DecodeAllStreams would also decode, but keeps all it inflates
// in memory at once with no bound on the total: a 400 KB file made it
// allocate 1.6 GB. This inflates a copy of one stream at a time, drops
// it, and fails once b is spent.
func inflateStreams(ctx context.Context, pc *model.Context, b budget) error {
	for _, e := range pc.XRefTable.Table {
		if err := ctx.Err(); err != nil {
			return err
		}
		if e == nil || e.Free {
			continue
		}
		var sd types.StreamDict
		var left *int64
		switch o := e.Object.(type) {
		case types.StreamDict:
			if o.Image() {
				continue
			}
			sd, left = o, &b.streams
		case types.ObjectStreamDict:
			sd, left = o.StreamDict, &b.objects
		default:
			continue
		}
		n, err := inflatedSize(sd, *left)
		if err != nil {
			return err
		}
		*left -= n
	}
	return nil
}

// inflatedSize inflates sd, a copy, to at most limit bytes and returns its
// size. A stream pdfcpu cannot decode (an exotic image filter) counts as
// empty.
func inflatedSize(sd types.StreamDict, limit int64) (int64, error) {
	if sd.Content != nil {
		if int64(len(sd.Content)) > limit {
			return 0, errBudget
		}
		return int64(len(sd.Content)), nil
	}
	if limit <= 0 {
		// Checked here, as pdfcpu takes a limit of 0 for its default.
		return 0, errBudget
	}
	err := sd.DecodeWithLimit(min(limit, maxStreamBytes))
	if errors.Is(err, filter.ErrUnsupportedFilter) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	return int64(len(sd.Content)), nil
}
