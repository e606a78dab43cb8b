package upload

import (
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// A PDF may carry more than pages: scripts, actions that start programs,
// attached files, Flash, XML forms. A supporting document needs none of
// them, and each is a way to attack the agent's computer that opens it,
// so a PDF carrying any is refused (KeyPDFActive) rather than cleaned: an
// applicant who saves it again as a plain PDF ("print to PDF") or sends a
// photo has lost nothing, and the file kept is the one they sent.
//
// What is refused, wherever it appears in the file (names are compared
// decoded, so /J#61vaScript is /JavaScript):
//   - an action that runs or launches something: /S of /JavaScript,
//     /Launch, /SubmitForm, /ImportData, /RichMediaExecute or /Rendition,
//     whether it is the document's /OpenAction, in additional actions
//     (/AA) of a page, an annotation or a field, or anywhere else;
//   - script entries: /JS, and the document's /JavaScript name tree;
//   - attached files: /EF (a file specification's embedded file), /Type
//     /EmbeddedFile, and file attachment annotations (/Subtype
//     /FileAttachment). The document's /EmbeddedFiles name tree is not
//     itself refused: fpdf, which writes the portal's own attestations,
//     writes an empty one in every file; a file it names is refused by
//     its /EF.
//   - /RichMedia content (Flash, video: /Subtype /RichMedia) and XML forms
//     (/XFA).
//
// Links to web pages (/URI actions) and going to a page (/GoTo) stay
// allowed: office suites write them in ordinary documents.
var (
	activeKeys = map[string]bool{"JS": true, "JavaScript": true, "EF": true,
		"RichMediaContent": true, "XFA": true}
	activeActions = map[string]bool{"JavaScript": true, "Launch": true, "SubmitForm": true, "ImportData": true,
		"RichMediaExecute": true, "Rendition": true}
	activeTypes = map[string]bool{"EmbeddedFile": true, "FileAttachment": true, "RichMedia": true}
)

// hasActiveContent reports whether any object of pc, every object of
// every object stream included, carries active content or an attached
// file. It walks objects with a stack of its own: nesting can be as deep
// as the file is long.
func hasActiveContent(pc *model.Context) bool {
	var stack []types.Object
	for _, e := range pc.XRefTable.Table {
		if e == nil || e.Free || e.Object == nil {
			continue
		}
		stack = append(stack[:0], e.Object)
		for len(stack) > 0 {
			o := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			var d types.Dict
			switch o := o.(type) {
			case types.Dict:
				d = o
			case types.StreamDict:
				d = o.Dict
			case types.ObjectStreamDict:
				d = o.Dict
			case types.XRefStreamDict:
				d = o.Dict
			case types.Array:
				stack = append(stack, o...)
				continue
			default:
				continue
			}
			for k, v := range d {
				if activeKeys[k] {
					return true
				}
				if n, ok := v.(types.Name); ok {
					switch {
					case k == "S" && activeActions[n.Value()],
						(k == "Type" || k == "Subtype") && activeTypes[n.Value()]:
						return true
					}
				}
				stack = append(stack, v)
			}
		}
	}
	return false
}
