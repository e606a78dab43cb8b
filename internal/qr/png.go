package qr

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"sync"

	qrcode "github.com/skip2/go-qrcode"
)

// PNG returns the image Image draws, as a PNG of one bit a pixel in
// black on white, like Encode's, but written from the modules row by
// row: a row of pixels that repeats the one above (all but the first of
// each module's rows) is written with PNG's "Up" filter, as zeros. It
// compresses in a small part of the time image/png takes on the same
// pixels (which it reads one by one, and filters none of, for an image
// with a palette), to about the same size: what issuing an attestation
// spent most of its QR code's time on. The pixels are Image's, exactly
// (TestPNGIsImage).
func PNG(text string, size int) ([]byte, error) {
	code, err := qrcode.New(text, level)
	if err != nil {
		return nil, fmt.Errorf("qr: encode: %w", err)
	}
	bitmap := code.Bitmap()
	n := len(bitmap)
	scale := size / n
	if scale < 1 {
		return nil, fmt.Errorf("qr: encode: %d pixels are too few for %d modules", size, n)
	}
	margin := (size - n*scale) / 2
	stride := (size + 7) / 8
	var idat bytes.Buffer
	zw := zlibWriters.Get().(*zlib.Writer)
	defer zlibWriters.Put(zw)
	zw.Reset(&idat)
	line := make([]byte, 1+stride) // filter type 0 (None), then the pixels
	up := make([]byte, 1+stride)   // filter type 2 (Up): the row above again
	up[0] = 2
	drawn := -2 // the module row whose pixels line holds; -1 for the margin
	for y := range size {
		m := -1
		if y >= margin && y < margin+n*scale {
			m = (y - margin) / scale
		}
		if m == drawn {
			zw.Write(up) // a bytes.Buffer does not fail
			continue
		}
		clear(line)
		if m >= 0 {
			for x, dark := range bitmap[m] {
				if !dark {
					continue
				}
				for px := margin + x*scale; px < margin+(x+1)*scale; px++ {
					line[1+px/8] |= 0x80 >> (px % 8)
				}
			}
		}
		zw.Write(line)
		drawn = m
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	header := make([]byte, 13)
	binary.BigEndian.PutUint32(header[0:], uint32(size))
	binary.BigEndian.PutUint32(header[4:], uint32(size))
	header[8], header[9] = 1, 3 // one bit a pixel, indexed by a palette
	chunk(&out, "IHDR", header)
	chunk(&out, "PLTE", []byte{0xff, 0xff, 0xff, 0, 0, 0}) // index 0 white, 1 black, as palette
	chunk(&out, "IDAT", idat.Bytes())
	chunk(&out, "IEND", nil)
	return out.Bytes(), nil
}

// zlibWriters keeps compressors for reuse: each holds some 800 KB of
// tables, which made up a third of PNG's time when allocated each time.
var zlibWriters = sync.Pool{New: func() any { return zlib.NewWriter(nil) }}

// chunk writes one PNG chunk: its length, type, data and CRC.
func chunk(out *bytes.Buffer, kind string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	out.Write(n[:])
	crc := crc32.NewIEEE()
	crc.Write([]byte(kind))
	crc.Write(data)
	out.WriteString(kind)
	out.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	out.Write(n[:])
}
