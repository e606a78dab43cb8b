package upload

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"
)

// The fixtures are generated rather than committed, so that each test
// shows what its file is made of.

// picture returns a w×h gradient, with noise of the given amplitude
// (0–255) added; noise compresses badly, as the grain of a phone photo
// does.
func picture(w, h, noise int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(1, 2))
	grain := func() int {
		if noise == 0 {
			return 0
		}
		return rng.IntN(noise)
	}
	for y := range h {
		for x := range w {
			img.SetRGBA(x, y, color.RGBA{uint8(x + grain()), uint8(y + grain()), uint8(x + y + grain()), 0xff})
		}
	}
	return img
}

func pngFile(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, picture(w, h, 0)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func jpegFile(t testing.TB, w, h, noise int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, picture(w, h, noise), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gifFile(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := gif.Encode(&buf, picture(16, 16, 0), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pdfFile returns a PDF of a few text pages, with a JPEG image on the
// first if scan is not nil, encrypted with RC4 if userPW or ownerPW is
// set (fpdf's only scheme).
func pdfFile(t testing.TB, scan []byte, userPW, ownerPW string) []byte {
	t.Helper()
	doc := fpdf.New("P", "mm", "A4", "")
	doc.SetCreationDate(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	if userPW != "" || ownerPW != "" {
		doc.SetProtection(fpdf.CnProtectPrint, userPW, ownerPW)
	}
	doc.SetFont("Helvetica", "", 12)
	for page := range 3 {
		doc.AddPage()
		doc.Cell(40, 10, "Bulletin de salaire")
		if page == 0 && scan != nil {
			doc.RegisterImageOptionsReader("scan", fpdf.ImageOptions{ImageType: "JPG"}, bytes.NewReader(scan))
			doc.ImageOptions("scan", 10, 30, 190, 0, false, fpdf.ImageOptions{ImageType: "JPG"}, 0, "")
		}
	}
	var buf bytes.Buffer
	if err := doc.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pngHeaderOnly returns a PNG whose header declares w×h pixels of 8-bit
// RGB, followed by a few bytes of image data and the end chunk: a
// decompression bomb in shape, which a decoder would have to allocate
// w×h×3 bytes for.
func pngHeaderOnly(t testing.TB, w, h uint32) []byte {
	t.Helper()
	var buf bytes.Buffer
	buf.Write(pngMagic)
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0) // depth 8, RGB, deflate, no filter, no interlace
	writeChunk(&buf, "IHDR", ihdr)
	var idat bytes.Buffer
	zw := zlib.NewWriter(&idat)
	zw.Write(make([]byte, 1024))
	zw.Close()
	writeChunk(&buf, "IDAT", idat.Bytes())
	writeChunk(&buf, "IEND", nil)
	return buf.Bytes()
}

func writeChunk(buf *bytes.Buffer, typ string, data []byte) {
	binary.Write(buf, binary.BigEndian, uint32(len(data)))
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	buf.WriteString(typ)
	buf.Write(data)
	binary.Write(buf, binary.BigEndian, crc.Sum32())
}

// manyScans returns a JPEG with n copies of its scan, as a progressive
// JPEG with n scans would have.
func manyScans(t testing.TB, n int) []byte {
	t.Helper()
	j := jpegFile(t, 16, 16, 0)
	sos := bytes.LastIndex(j, sosMarker)
	eoi := len(j) - 2
	var buf bytes.Buffer
	buf.Write(j[:sos])
	for range n {
		buf.Write(j[sos:eoi])
	}
	buf.Write(j[eoi:])
	return buf.Bytes()
}

// padded returns data followed by zeros up to size bytes. JPEG and PDF
// readers ignore what follows the end of the file's content.
func padded(data []byte, size int) []byte {
	return append(bytes.Clone(data), make([]byte, size-len(data))...)
}

// handmadePDF returns a PDF whose objects 1, 2... have the given bodies,
// with a correct cross-reference table and object 1 as catalog: the way to
// make the malformed structures no PDF library would write.
func handmadePDF(objs ...string) []byte {
	var b strings.Builder
	b.WriteString("%PDF-1.7\n")
	var offsets []int
	for i, o := range objs {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return []byte(b.String())
}

// onePage returns a handmade PDF of one page; extra is added to the page
// dictionary and more are further objects, numbered from 4.
func onePage(extra string, more ...string) []byte {
	return handmadePDF(append([]string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] " + extra + " >>",
	}, more...)...)
}

// flateStream returns a stream object whose content inflates to n zero
// bytes.
func flateStream(n int) string {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(make([]byte, n))
	zw.Close()
	return fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", z.Len(), z.Bytes())
}

// objectStreams returns a PDF whose page tree root is compressed in an
// object stream, as modern producers do, and which holds n object streams
// in all, each with an array of zeros that inflates to about fill bytes.
// Its cross-reference table is a stream too, as object streams require.
func objectStreams(n, fill int) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	offsets := map[int]int{}
	put := func(nr int, body string) {
		offsets[nr] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", nr, body)
	}
	// Objects 1 and 3 are plain, 4 to 3+n are the object streams, 2 is
	// in the first and 4+n to 3+2n are the fillers.
	put(1, "<< /Type /Catalog /Pages 2 0 R >>")
	put(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>")
	filler := "[" + strings.Repeat("0 ", fill/2) + "]"
	type place struct{ stream, index int }
	inStream := map[int]place{} // where each compressed object is
	for i := range n {
		objs := []string{filler}
		nrs := []int{4 + n + i}
		if i == 0 {
			objs = append([]string{"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"}, objs...)
			nrs = append([]int{2}, nrs...)
		}
		var prolog, body strings.Builder
		for j, o := range objs {
			fmt.Fprintf(&prolog, "%d %d ", nrs[j], body.Len())
			body.WriteString(o + " ")
			inStream[nrs[j]] = place{4 + i, j}
		}
		var z bytes.Buffer
		zw := zlib.NewWriter(&z)
		zw.Write([]byte(prolog.String() + body.String()))
		zw.Close()
		put(4+i, fmt.Sprintf("<< /Type /ObjStm /N %d /First %d /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream",
			len(objs), prolog.Len(), z.Len(), z.Bytes()))
	}
	xrefNr := 4 + 2*n
	offsets[xrefNr] = b.Len()
	var rows bytes.Buffer
	row := func(typ byte, field2 uint32, field3 uint16) {
		rows.WriteByte(typ)
		binary.Write(&rows, binary.BigEndian, field2)
		binary.Write(&rows, binary.BigEndian, field3)
	}
	row(0, 0, 65535)
	for nr := 1; nr <= xrefNr; nr++ {
		if p, ok := inStream[nr]; ok {
			row(2, uint32(p.stream), uint16(p.index))
		} else {
			row(1, uint32(offsets[nr]), 0)
		}
	}
	fmt.Fprintf(&b, "%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n%s\nendstream\nendobj\n",
		xrefNr, xrefNr+1, rows.Len(), rows.Bytes())
	fmt.Fprintf(&b, "startxref\n%d\n%%%%EOF\n", offsets[xrefNr])
	return b.Bytes()
}

// zeroPNG returns a complete, valid PNG of w×h black pixels of the given
// bit depth and colour type, built without compressing its pixel data
// whole: a deflated run of rows, ending on a flush (a byte boundary, every
// reference inside it), is repeated h/run times, then the last block and
// the checksum are written. A 7000×7000 16-bit PNG is then 300 KB made in
// milliseconds, as an attacker's would be.
func zeroPNG(t testing.TB, w, h uint32, depth, colour byte) []byte {
	t.Helper()
	channels := map[byte]uint32{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
	rowLen := 1 + (w*channels*uint32(depth)+7)/8
	run := uint32(1)
	for _, r := range []uint32{1000, 500, 100, 50, 10} {
		if h%r == 0 && r*rowLen < 64*MB {
			run = r
			break
		}
	}
	var seg bytes.Buffer
	fw, err := flate.NewWriter(&seg, flate.BestSpeed)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(make([]byte, run*rowLen))
	fw.Flush()
	var idat bytes.Buffer
	idat.Write([]byte{0x78, 0x01}) // zlib header: deflate, 32 KB window
	for range h / run {
		idat.Write(seg.Bytes())
	}
	idat.Write([]byte{0x01, 0x00, 0x00, 0xff, 0xff}) // an empty last block
	// Adler-32 of zeros: the sum of bytes is 0, the sum of sums the length.
	binary.Write(&idat, binary.BigEndian, uint32(uint64(h)*uint64(rowLen)%65521)<<16|1)
	var buf bytes.Buffer
	buf.Write(pngMagic)
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, depth, colour, 0, 0, 0)
	writeChunk(&buf, "IHDR", ihdr)
	if colour == 3 {
		writeChunk(&buf, "PLTE", []byte{0, 0, 0})
	}
	writeChunk(&buf, "IDAT", idat.Bytes())
	writeChunk(&buf, "IEND", nil)
	return buf.Bytes()
}
