package upload

import (
	"encoding/binary"
	"errors"
)

// What decoding costs. Go's decoders allocate the whole image at once,
// in a layout set by the header: a PNG takes 1 byte a pixel in grey or
// with a palette, 2 in 16-bit grey, 4 in 8-bit colour (RGBA) and 8 in
// 16-bit colour (RGBA64), twice that when interlaced (each pass is decoded
// apart, then copied); a JPEG takes 1 byte a pixel for each of its
// components at its sampling (1.5 for a colour photo subsampled 4:2:0, 3
// unsubsampled), 4 more bytes a component's pixel for the coefficients a
// progressive one keeps between scans, and 4 more a pixel for a CMYK
// one's converted copy. Measured with runtime.MemStats on 3-megapixel
// images of each kind (docs/performance.md), the model is right to 1%.

// decoderOverhead is what a decoder allocates besides the pixels:
// inflating and Huffman tables, a few rows.
const decoderOverhead = 64 << 10

// Header is what an image's header says about decoding it.
type Header struct {
	Kind          Kind
	Width, Height int
	// Bytes is what decoding the image in full allocates.
	Bytes int64
}

// Pixels is width times height.
func (h Header) Pixels() int64 { return int64(h.Width) * int64(h.Height) }

var errHeader = errors.New("upload: no readable image header")

// ReadHeader reads the header of a JPEG or PNG image, without decoding any
// pixel: its size, and the memory a decoder will allocate for it. It is
// the bound that comes before decoding, for the documents' checks as for
// the verifier's photos.
func ReadHeader(data []byte) (Header, error) {
	switch sniff(data) {
	case PNG:
		return pngHeader(data)
	case JPEG:
		return jpegHeader(data)
	}
	return Header{}, errHeader
}

// pngHeader reads a PNG's IHDR chunk, which the format requires first.
func pngHeader(data []byte) (Header, error) {
	const ihdrEnd = 8 + 8 + 13
	if len(data) < ihdrEnd || string(data[12:16]) != "IHDR" || binary.BigEndian.Uint32(data[8:12]) != 13 {
		return Header{}, errHeader
	}
	w, h := binary.BigEndian.Uint32(data[16:20]), binary.BigEndian.Uint32(data[20:24])
	depth, colour, interlace := data[24], data[25], data[28]
	if w == 0 || h == 0 || w > 1<<31-1 || h > 1<<31-1 {
		return Header{}, errHeader
	}
	var perPixel int64
	switch colour {
	case 0, 3: // grey, palette
		perPixel = 1
		if depth == 16 {
			perPixel = 2
		}
	case 2, 4, 6: // colour, grey with alpha, colour with alpha
		perPixel = 4
		if depth == 16 {
			perPixel = 8
		}
	default:
		return Header{}, errHeader
	}
	n := int64(w) * int64(h) * perPixel
	if interlace == 1 {
		n *= 2
	}
	// The decoder keeps two rows of raw data, of up to 8 bytes a pixel.
	rows := 2 * (1 + int64(w)*min(8, 2*perPixel))
	return Header{Kind: PNG, Width: int(w), Height: int(h), Bytes: n + rows + decoderOverhead}, nil
}

// jpegHeader reads a JPEG's markers up to its frame header (SOF), which
// gives its size, components and sampling, and whether it is progressive.
func jpegHeader(data []byte) (Header, error) {
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xff {
			return Header{}, errHeader
		}
		marker := data[i+1]
		switch {
		case marker == 0xff: // fill byte
			i++
			continue
		case marker == 0x01 || (marker >= 0xd0 && marker <= 0xd8): // no length
			i += 2
			continue
		}
		length := int(binary.BigEndian.Uint16(data[i+2:]))
		if length < 2 || i+2+length > len(data) {
			return Header{}, errHeader
		}
		if marker == 0xc0 || marker == 0xc1 || marker == 0xc2 {
			return jpegFrame(data[i+4:i+2+length], marker == 0xc2)
		}
		if marker == 0xda || marker == 0xd9 { // a scan or the end before any frame
			return Header{}, errHeader
		}
		i += 2 + length
	}
	return Header{}, errHeader
}

// jpegFrame computes the cost of a JPEG from its frame header's fields:
// precision, height, width and the components with their sampling. The
// decoder allocates each component's plane rounded up to whole blocks of
// its MCUs.
func jpegFrame(sof []byte, progressive bool) (Header, error) {
	if len(sof) < 6 {
		return Header{}, errHeader
	}
	h, w, n := int64(binary.BigEndian.Uint16(sof[1:])), int64(binary.BigEndian.Uint16(sof[3:])), int(sof[5])
	if w == 0 || h == 0 || n == 0 || len(sof) < 6+3*n {
		return Header{}, errHeader
	}
	comps := sof[6 : 6+3*n]
	var hmax, vmax int64 = 1, 1
	for c := range n {
		hmax, vmax = max(hmax, int64(comps[3*c+1]>>4)), max(vmax, int64(comps[3*c+1]&15))
	}
	mcuX, mcuY := (w+8*hmax-1)/(8*hmax), (h+8*vmax-1)/(8*vmax)
	var planes int64
	for c := range n {
		hs, vs := int64(comps[3*c+1]>>4), int64(comps[3*c+1]&15)
		if n == 1 {
			hs, vs = hmax, vmax
		}
		planes += mcuX * 8 * hs * mcuY * 8 * vs
	}
	cost := planes
	if progressive {
		cost += 4 * planes
	}
	if n == 4 {
		cost += 4 * w * h
	}
	return Header{Kind: JPEG, Width: int(w), Height: int(h), Bytes: cost + decoderOverhead}, nil
}

// pdfCost is what checking a PDF of size bytes may take: pdfcpu holds the
// file and its parsed objects, and one stream at a time inflated to at
// most maxStreamBytes, in a buffer that grows by doubling. A page
// inflating to 16 MB, the most allowed, raised the heap by 59 MB.
func pdfCost(size int) int64 { return 4*maxStreamBytes + 2*int64(size) }

// Cost is the memory Check(data, lim) may take, the weight of a check in
// a Gate: for an image, what its decoding allocates; for a PDF, its bound.
// A file refused before parsing, or an image refused from its header,
// costs only decoderOverhead.
func Cost(data []byte, lim Limits) int64 {
	if len(data) == 0 || int64(len(data)) > lim.MaxBytes {
		return decoderOverhead
	}
	switch sniff(data) {
	case PDF:
		return pdfCost(len(data))
	case JPEG, PNG:
		hd, err := ReadHeader(data)
		if err != nil || imageTooBig(hd, lim) != nil {
			return decoderOverhead
		}
		return hd.Bytes
	}
	return decoderOverhead
}

// imageTooBig refuses an image with more pixels than lim allows, or whose
// decoding would take more than lim's memory. The limit it states is in
// megapixels, as applicants know their photos: for memory, the most
// pixels an image of that format may have.
func imageTooBig(hd Header, lim Limits) error {
	maxPixels := int64(lim.MaxPixels)
	if hd.Bytes > lim.decodeBytes() {
		perPixel := float64(hd.Bytes) / float64(hd.Pixels())
		maxPixels = min(maxPixels, int64(float64(lim.decodeBytes())/perPixel))
	}
	if hd.Pixels() > maxPixels || hd.Bytes > lim.decodeBytes() {
		return invalid(KeyImageTooBig, int(maxPixels/Megapixels))
	}
	return nil
}
