package qr

import (
	"image"
	"image/color"
	"math"
)

// luminance returns img as an 8-bit grey image whose stride is its width,
// as the QR reader wants it.
func luminance(img image.Image) *image.Gray {
	b := img.Bounds()
	w := b.Dx()
	out := image.NewGray(image.Rect(0, 0, w, b.Dy()))
	row := rows(img)
	for y := range b.Dy() {
		row(b.Min.Y+y, out.Pix[y*w:(y+1)*w])
	}
	return out
}

// rows returns a function filling dst with the luminance of the row y of
// img. Transparent pixels are laid on white, as they would show on a
// page. The types the JPEG and PNG decoders return are read directly,
// others pixel by pixel, several times slower.
func rows(img image.Image) func(y int, dst []uint8) {
	b := img.Bounds()
	w := b.Dx()
	var row func(y int, dst []uint8)
	switch src := img.(type) {
	case *image.YCbCr: // the Y plane is the luminance already
		row = func(y int, dst []uint8) { copy(dst, src.Y[src.YOffset(b.Min.X, y):]) }
	case *image.Gray:
		row = func(y int, dst []uint8) { copy(dst, src.Pix[src.PixOffset(b.Min.X, y):]) }
	case *image.Gray16:
		row = func(y int, dst []uint8) {
			p := src.Pix[src.PixOffset(b.Min.X, y):]
			for x := range dst {
				dst[x] = p[2*x] // the most significant byte
			}
		}
	case *image.Paletted:
		var lut [256]uint8
		for i, c := range src.Palette {
			lut[i] = gray(c)
		}
		row = func(y int, dst []uint8) {
			for x, i := range src.Pix[src.PixOffset(b.Min.X, y):][:w] {
				dst[x] = lut[i]
			}
		}
	case *image.RGBA:
		row = func(y int, dst []uint8) { pixels(dst, src.Pix[src.PixOffset(b.Min.X, y):], 4, true) }
	case *image.NRGBA:
		row = func(y int, dst []uint8) { pixels(dst, src.Pix[src.PixOffset(b.Min.X, y):], 4, false) }
	case *image.RGBA64:
		row = func(y int, dst []uint8) { pixels(dst, src.Pix[src.PixOffset(b.Min.X, y):], 8, true) }
	case *image.NRGBA64:
		row = func(y int, dst []uint8) { pixels(dst, src.Pix[src.PixOffset(b.Min.X, y):], 8, false) }
	default:
		row = func(y int, dst []uint8) {
			for x := range dst {
				dst[x] = gray(img.At(b.Min.X+x, y))
			}
		}
	}
	return row
}

// pixels fills dst with the luminance of the RGBA pixels in p, of size
// bytes each (4, or 8 for 16 bits a channel, of which the most significant
// byte comes first and is enough), premultiplied by alpha or not.
func pixels(dst, p []uint8, size int, premultiplied bool) {
	step := size / 4
	for x := range dst {
		q := p[x*size:]
		r, g, b, a := uint32(q[0]), uint32(q[step]), uint32(q[2*step]), uint32(q[3*step])
		y := (r + 2*g + b) / 4
		if !premultiplied {
			y = y * a / 255
		}
		dst[x] = uint8(y + 255 - a)
	}
}

// gray returns the luminance of c laid on white.
func gray(c color.Color) uint8 {
	r, g, b, a := c.RGBA()
	return uint8(((r+2*g+b)/4 + 0xffff - a) >> 8)
}

// shrink returns img in grey, scaled down so that its longer side is at
// most long pixels. Each pixel of the result is the mean of the pixels it
// covers, which smooths out sensor noise and JPEG artefacts rather than
// picking some of them. The rows of img are read one at a time: no
// full-size grey copy is made.
func shrink(img image.Image, long int) *image.Gray {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if max(w, h) <= long {
		return luminance(img)
	}
	row := rows(img)
	nw, nh := max(1, w*long/max(w, h)), max(1, h*long/max(w, h))
	out := image.NewGray(image.Rect(0, 0, nw, nh))
	line := make([]uint8, w)
	sums := make([]uint32, nw)
	counts := make([]uint32, nw)
	for ny := range nh {
		clear(sums)
		clear(counts)
		for y := ny * h / nh; y < (ny+1)*h/nh; y++ {
			row(b.Min.Y+y, line)
			for x, v := range line {
				nx := x * nw / w
				sums[nx] += uint32(v)
				counts[nx]++
			}
		}
		for nx := range nw {
			out.Pix[ny*nw+nx] = uint8(sums[nx] / counts[nx])
		}
	}
	return out
}

// stretch returns g with its levels stretched so that its darkest and its
// lightest percent of pixels become black and white, or nil if it is of
// one flat tone. A faded print or a dim photo can have modules differing
// by fewer levels than the reader's binarizer takes for an edge (24 of
// 256); stretched, they differ by many more.
func stretch(g *image.Gray) *image.Gray {
	var hist [256]int
	for _, v := range g.Pix {
		hist[v]++
	}
	lo, hi := percentile(&hist, len(g.Pix)/100), 255-percentile(reversed(&hist), len(g.Pix)/100)
	if hi <= lo {
		return nil
	}
	var lut [256]uint8
	for v := range lut {
		lut[v] = uint8(min(255, max(0, (v-lo)*255/(hi-lo))))
	}
	out := image.NewGray(g.Rect)
	for i, v := range g.Pix {
		out.Pix[i] = lut[v]
	}
	return out
}

// percentile returns the least level below or at which more than n pixels
// of hist lie.
func percentile(hist *[256]int, n int) int {
	seen := 0
	for v, c := range hist {
		seen += c
		if seen > n {
			return v
		}
	}
	return 255
}

// reversed returns hist from white to black.
func reversed(hist *[256]int) *[256]int {
	var r [256]int
	for v, c := range hist {
		r[255-v] = c
	}
	return &r
}

// enlarge returns g twice as large, interpolated.
func enlarge(g *image.Gray) *image.Gray {
	// Pixel centres: x+0.5 in the result is (x+0.5)/2 in g.
	return affine(g, 2*g.Rect.Dx(), 2*g.Rect.Dy(), [6]float64{0.5, 0, -0.25, 0, 0.5, -0.25})
}

// turn45 returns g turned by 45 degrees, on a square large enough to hold
// all of it, interpolated.
func turn45(g *image.Gray) *image.Gray {
	w, h := float64(g.Rect.Dx()), float64(g.Rect.Dy())
	side := int(math.Ceil((w + h) / math.Sqrt2))
	c := math.Sqrt2 / 2
	// Turn about the centres of both images, pixel (x, y) of either having
	// its centre at (x+0.5, y+0.5).
	k := 0.5 - float64(side)/2
	return affine(g, side, side, [6]float64{
		c, -c, w/2 - 0.5,
		c, c, 2*c*k + h/2 - 0.5,
	})
}

// affine returns a w×h image whose pixel (x, y) is g at (m[0]x + m[1]y +
// m[2], m[3]x + m[4]y + m[5]), interpolated between its four nearest
// pixels, and white off g.
func affine(g *image.Gray, w, h int, m [6]float64) *image.Gray {
	gw, gh := g.Rect.Dx(), g.Rect.Dy()
	out := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			sx := m[0]*float64(x) + m[1]*float64(y) + m[2]
			sy := m[3]*float64(x) + m[4]*float64(y) + m[5]
			if sx < -0.5 || sy < -0.5 || sx > float64(gw)-0.5 || sy > float64(gh)-0.5 {
				out.Pix[y*w+x] = 255
				continue
			}
			sx, sy = min(max(sx, 0), float64(gw-1)), min(max(sy, 0), float64(gh-1))
			x0, y0 := int(sx), int(sy)
			x1, y1 := min(x0+1, gw-1), min(y0+1, gh-1)
			fx, fy := sx-float64(x0), sy-float64(y0)
			top := float64(g.Pix[y0*gw+x0])*(1-fx) + float64(g.Pix[y0*gw+x1])*fx
			bottom := float64(g.Pix[y1*gw+x0])*(1-fx) + float64(g.Pix[y1*gw+x1])*fx
			out.Pix[y*w+x] = uint8(top*(1-fy) + bottom*fy + 0.5)
		}
	}
	return out
}
