/*
 * A business document as an A4 PDF: cairo draws, pango sets the text (real
 * text with embedded font subsets, so it can be selected, searched and read
 * by pdftotext and screen readers).
 *
 * The page follows a German business letter (DIN 5008, form B) closely
 * enough for a window envelope: the buyer's address sits in the window 45 mm
 * from the top and 20 mm from the left, under a one-line return address;
 * the dates and numbers stand in the information block on the right; the
 * body starts about 98 mm down. Lines that do not fit continue on further
 * pages, each with a short heading and the table's header row again. The
 * page numbers ("1/2") need the number of pages before the first is drawn,
 * so the document is laid out twice: once to count, measuring the text
 * without drawing it (no glyph goes into the PDF, so no font is subset), and
 * once for real, with the same surface and so the same metrics.
 *
 * Pango's default font map is one per thread (pango_cairo_create_context
 * takes the calling thread's); the server's threads are a fixed pool, so
 * each loads the fonts once and no font map is shared between threads.
 *
 * Logos: PNG through cairo's PNG stream reader; JPEG by its own bytes, which
 * cairo's PDF surface embeds as they are (DCTDecode) when they are attached
 * as the image's MIME data, so no JPEG decoder is needed; SVG through
 * librsvg (Debian's cairo has no SVG reader), drawn as vector graphics.
 *
 * Must not: compute an amount, read a file, or write anywhere but out.
 */
#include <cairo-pdf.h>
#include <cairo.h>
#include <librsvg/rsvg.h>
#include <pango/pangocairo.h>
#include <string.h>

#include "doc/doc_int.h"

/* ---- geometry, in points (1/72 inch) ----------------------------------- */

#define PAGE_W          595.0
#define PAGE_H          842.0
#define MARGIN_LEFT     70.9  /* 25 mm */
#define MARGIN_RIGHT    538.3 /* 20 mm from the right edge */
#define CONTENT_W       (MARGIN_RIGHT - MARGIN_LEFT)
#define WINDOW_LEFT     56.7  /* 20 mm: the envelope's window */
#define WINDOW_TOP      127.6 /* 45 mm */
#define WINDOW_W        241.0 /* 85 mm */
#define ADDRESS_TOP     177.8 /* the window's address zone, after 17.7 mm of notes */
#define INFO_LEFT       354.3 /* 125 mm: the information block */
#define INFO_TOP        141.7 /* 50 mm */
#define BODY_TOP        279.0 /* 98.4 mm: the first page's title */
#define NEXT_TOP        96.0  /* where a further page's table starts */
#define FOOTER_TOP      772.0
#define FOOTER_TEXT_TOP 778.0
#define BODY_BOTTOM     756.0
#define LOGO_W_MAX      150.0
#define LOGO_H_MAX      60.0
#define ROW_PAD         3.0
#define LOGO_SIDE_MAX   8000 /* pixels of a JPEG logo */

#define FONT_FAMILY "Liberation Sans,DejaVu Sans,sans-serif"

/* The line table's columns, right edges for numbers. */
enum { COL_POS, COL_DESC, COL_QTY, COL_UNIT, COL_VAT, COL_AMOUNT, COL__COUNT };
static const struct {
    double left, right;
    PangoAlignment align;
    const char *key;
} doc_columns[COL__COUNT] = {
    {MARGIN_LEFT, MARGIN_LEFT + 24, PANGO_ALIGN_LEFT, "document.column_position"},
    {MARGIN_LEFT + 28, 284, PANGO_ALIGN_LEFT, "document.column_description"},
    {288, 322, PANGO_ALIGN_RIGHT, "document.column_quantity"},
    {326, 402, PANGO_ALIGN_RIGHT, "document.column_unit_price"},
    {406, 450, PANGO_ALIGN_RIGHT, "document.column_vat"},
    {454, MARGIN_RIGHT, PANGO_ALIGN_RIGHT, "document.column_amount"},
};

/* ---- one rendering ------------------------------------------------------ */

struct doc_pdf {
    const struct doc *d;
    const char *lang;
    struct arena a;
    cairo_surface_t *surface;
    cairo_t *cr;
    PangoLayout *layout;
    cairo_surface_t *logo; /* a PNG's or JPEG's; NULL = none */
    RsvgHandle *svg;       /* an SVG's; NULL = none */
    double logo_w, logo_h; /* the logo's own size (pixels) */
    int page, pages;       /* pages = 0 while counting */
    double y;
    struct buf *out; /* NULL while counting */
    enum err write_rc;
};

static cairo_status_t doc_pdf_write(void *closure, const unsigned char *data, unsigned int len)
{
    struct doc_pdf *p = closure;
    if (p->out == NULL)
        return CAIRO_STATUS_SUCCESS;
    p->write_rc = buf_append(p->out, data, len);
    return p->write_rc == ERR_OK ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

static const char *doc_pdf_text(struct doc_pdf *p, const char *key)
{
    return i18n_text(p->lang, key);
}

/* A text of the catalogue with its holes filled from NULL-terminated name,
 * value pairs; "" when the arena is full. */
#define doc_pdf_format(p, key, ...)                                                                \
    doc_pdf_or_empty(i18n_format(&(p)->a, (p)->lang, key, __VA_ARGS__))

static const char *doc_pdf_or_empty(const char *s)
{
    return s != NULL ? s : "";
}

static const char *doc_pdf_money(struct doc_pdf *p, int64_t minor)
{
    return doc_money(&p->a, p->lang, p->d->currency, minor);
}

static const char *doc_pdf_date(struct doc_pdf *p, struct doc_date date)
{
    return doc_date_text(&p->a, p->lang, date);
}

static bool doc_is_set(const char *s)
{
    return s != NULL && s[0] != '\0';
}

/* ---- text ---------------------------------------------------------------- */

enum doc_font { FONT_SMALL, FONT_TEXT, FONT_BOLD, FONT_TITLE, FONT_NAME, FONT_TINY, FONT__COUNT };

static void doc_pdf_font(struct doc_pdf *p, enum doc_font f)
{
    static const char *const fonts[FONT__COUNT] = {
        FONT_FAMILY " 7.5",     FONT_FAMILY " 9",       FONT_FAMILY " Bold 9",
        FONT_FAMILY " Bold 15", FONT_FAMILY " Bold 13", FONT_FAMILY " 6.5",
    };
    PangoFontDescription *fd = pango_font_description_from_string(fonts[f]);
    pango_layout_set_font_description(p->layout, fd);
    pango_font_description_free(fd);
}

/* Sets text at x, y in a box of width w (0 = no wrapping, left-aligned) and
 * returns its height. Nothing is drawn while only measuring (draw false). */
static double doc_pdf_put(struct doc_pdf *p, enum doc_font f, double x, double y, double w,
                          PangoAlignment align, const char *text, bool draw)
{
    doc_pdf_font(p, f);
    pango_layout_set_width(p->layout, w > 0 ? (int)(w * PANGO_SCALE) : -1);
    pango_layout_set_wrap(p->layout, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(p->layout, align);
    pango_layout_set_text(p->layout, text != NULL ? text : "", -1);
    int width, height;
    pango_layout_get_size(p->layout, &width, &height);
    if (draw && p->out != NULL) { /* while counting pages, only measure */
        cairo_move_to(p->cr, x, y);
        pango_cairo_show_layout(p->cr, p->layout);
    }
    return (double)height / PANGO_SCALE;
}

static double doc_pdf_line(struct doc_pdf *p, enum doc_font f, double x, double y, double w,
                           PangoAlignment align, const char *text)
{
    return doc_pdf_put(p, f, x, y, w, align, text, true);
}

static void doc_pdf_grey(struct doc_pdf *p, double level)
{
    cairo_set_source_rgb(p->cr, level, level, level);
}

static void doc_pdf_rule(struct doc_pdf *p, double x0, double x1, double y, double width)
{
    cairo_set_line_width(p->cr, width);
    cairo_move_to(p->cr, x0, y);
    cairo_line_to(p->cr, x1, y);
    cairo_stroke(p->cr);
}

/* ---- the logo ------------------------------------------------------------ */

struct doc_png_reader {
    const unsigned char *bytes;
    size_t len, at;
};

static cairo_status_t doc_png_read(void *closure, unsigned char *data, unsigned int len)
{
    struct doc_png_reader *r = closure;
    if (len > r->len - r->at)
        return CAIRO_STATUS_READ_ERROR;
    memcpy(data, r->bytes + r->at, len);
    r->at += len;
    return CAIRO_STATUS_SUCCESS;
}

/* The pixel size of a baseline or progressive JPEG from its SOF segment. */
static bool doc_jpeg_size(const unsigned char *b, size_t n, int *w, int *h)
{
    if (n < 4 || b[0] != 0xff || b[1] != 0xd8)
        return false;
    for (size_t i = 2; i + 9 < n;) {
        if (b[i] != 0xff)
            return false;
        unsigned marker = b[i + 1];
        size_t seg = (size_t)b[i + 2] << 8 | b[i + 3];
        bool sof =
            marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
        if (sof) {
            *h = b[i + 5] << 8 | b[i + 6];
            *w = b[i + 7] << 8 | b[i + 8];
            return *w > 0 && *h > 0 && *w <= LOGO_SIDE_MAX && *h <= LOGO_SIDE_MAX;
        }
        if (seg < 2)
            return false;
        i += 2 + seg;
    }
    return false;
}

static void doc_pdf_free_bytes(void *data)
{
    (void)data; /* the document's bytes are borrowed: nothing to free */
}

/* An SVG logo and its size: width and height, else its viewBox; NULL when
 * it does not parse or has no size to scale. Parsed from memory with no
 * base address, so it can reach no file and no network. */
static RsvgHandle *doc_pdf_svg_load(const struct doc_image *img, double *w, double *h)
{
    RsvgHandle *svg = rsvg_handle_new_from_data(img->bytes, img->len, NULL);
    if (svg == NULL)
        return NULL;
    gboolean has_width, has_height, has_viewbox;
    RsvgLength width, height;
    RsvgRectangle viewbox;
    rsvg_handle_get_intrinsic_dimensions(svg, &has_width, &width, &has_height, &height,
                                         &has_viewbox, &viewbox);
    if (!rsvg_handle_get_intrinsic_size_in_pixels(svg, w, h) && has_viewbox) {
        *w = viewbox.width;
        *h = viewbox.height;
    }
    if (!(*w > 0 && *h > 0)) {
        g_object_unref(svg);
        return NULL;
    }
    return svg;
}

/* The logo of the document, in p: a cairo surface (PNG, JPEG) or an SVG
 * handle; none when it does not decode (the document goes without it). */
static void doc_pdf_logo_load(struct doc_pdf *p, const struct doc_image *img)
{
    if (img->bytes == NULL || img->len == 0 || img->len > DOC_LOGO_BYTES_MAX)
        return;
    cairo_surface_t *s = NULL;
    if (img->type == DOC_IMAGE_SVG) {
        p->svg = doc_pdf_svg_load(img, &p->logo_w, &p->logo_h);
        return;
    }
    if (img->type == DOC_IMAGE_PNG) {
        struct doc_png_reader r = {.bytes = img->bytes, .len = img->len};
        s = cairo_image_surface_create_from_png_stream(doc_png_read, &r);
    } else if (img->type == DOC_IMAGE_JPEG) {
        int w, h;
        if (!doc_jpeg_size(img->bytes, img->len, &w, &h))
            return;
        /* The pixels are never read: the PDF gets the JPEG's own bytes. */
        s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
        if (cairo_surface_status(s) == CAIRO_STATUS_SUCCESS &&
            cairo_surface_set_mime_data(s, CAIRO_MIME_TYPE_JPEG, img->bytes, img->len,
                                        doc_pdf_free_bytes, NULL) != CAIRO_STATUS_SUCCESS) {
            cairo_surface_destroy(s);
            return;
        }
    }
    if (s != NULL && cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        s = NULL;
    }
    p->logo = s;
    if (s != NULL) {
        p->logo_w = cairo_image_surface_get_width(s);
        p->logo_h = cairo_image_surface_get_height(s);
    }
}

/* The logo at the top right, as large as fits LOGO_W_MAX × LOGO_H_MAX; an
 * SVG stays vector graphics. */
static void doc_pdf_logo_draw(struct doc_pdf *p)
{
    if ((p->logo == NULL && p->svg == NULL) || p->out == NULL)
        return;
    double w = p->logo_w, h = p->logo_h;
    double scale = LOGO_W_MAX / w < LOGO_H_MAX / h ? LOGO_W_MAX / w : LOGO_H_MAX / h;
    double x = MARGIN_RIGHT - w * scale, y = 36;
    cairo_save(p->cr);
    if (p->svg != NULL) {
        /* One that fails half-way leaves what it drew: a logo, not the
         * document, is what suffers. */
        RsvgRectangle viewport = {x, y, w * scale, h * scale};
        (void)rsvg_handle_render_document(p->svg, p->cr, &viewport, NULL);
    } else {
        cairo_translate(p->cr, x, y);
        cairo_scale(p->cr, scale, scale);
        cairo_set_source_surface(p->cr, p->logo, 0, 0);
        cairo_paint(p->cr);
    }
    cairo_restore(p->cr);
}

/* ---- page furniture ------------------------------------------------------ */

static const char *doc_pdf_title(struct doc_pdf *p)
{
    return doc_pdf_text(p, p->d->kind == DOC_CREDIT_NOTE ? "document.credit_note"
                                                         : "document.invoice");
}

/* The seller's legal lines: the document's footer, else name, address and
 * VAT ID on one line each. */
static const char *doc_pdf_footer_text(struct doc_pdf *p)
{
    const struct doc *d = p->d;
    if (doc_is_set(d->footer))
        return d->footer;
    const struct doc_party *s = &d->seller;
    const char *vat =
        doc_is_set(s->vat_id)
            ? arena_printf(&p->a, "\n%s %s", doc_pdf_text(p, "document.vat_id"), s->vat_id)
            : "";
    return arena_printf(&p->a, "%s%s%s%s", s->name != NULL ? s->name : "",
                        doc_is_set(s->address) ? "\n" : "",
                        doc_is_set(s->address) ? s->address : "", vat != NULL ? vat : "");
}

/* The footer and the page number, at the bottom of every page. */
static void doc_pdf_footer(struct doc_pdf *p)
{
    doc_pdf_grey(p, 0.55);
    doc_pdf_rule(p, MARGIN_LEFT, MARGIN_RIGHT, FOOTER_TOP, 0.5);
    doc_pdf_grey(p, 0.35);
    const char *footer = doc_pdf_footer_text(p);
    /* The seller's lines in up to three columns, as evenly as they go. */
    const char *line = footer != NULL ? footer : "";
    int lines = 1;
    for (const char *c = line; *c != '\0'; c++)
        lines += *c == '\n';
    int per_column = (lines + 2) / 3, columns = (lines + per_column - 1) / per_column;
    /* The page number keeps 60 points at the right. */
    double width = (CONTENT_W - 60 - 10.0 * (columns - 1)) / columns;
    for (int col = 0; col < columns && *line != '\0'; col++) {
        const char *end = line;
        for (int k = 0; k < per_column && *end != '\0'; k++)
            end += strcspn(end, "\n") + (end[strcspn(end, "\n")] == '\n');
        size_t len = (size_t)(end - line);
        const char *chunk =
            arena_strndup(&p->a, line, len > 0 && line[len - 1] == '\n' ? len - 1 : len);
        doc_pdf_line(p, FONT_SMALL, MARGIN_LEFT + col * (width + 10), FOOTER_TEXT_TOP, width,
                     PANGO_ALIGN_LEFT, chunk != NULL ? chunk : "");
        line = end;
    }
    char page[16], pages[16];
    str_format(page, sizeof(page), "%d", p->page);
    if (p->pages > 0)
        str_format(pages, sizeof(pages), "%d", p->pages);
    else
        str_copy(pages, sizeof(pages), "0");
    doc_pdf_line(p, FONT_SMALL, MARGIN_RIGHT - 55, FOOTER_TEXT_TOP, 55, PANGO_ALIGN_RIGHT,
                 doc_pdf_format(p, "document.page", "page", page, "pages", pages, NULL));
    doc_pdf_grey(p, 0);
}

/* The heading of a further page, where the table goes on. */
static void doc_pdf_next_heading(struct doc_pdf *p)
{
    const struct doc *d = p->d;
    doc_pdf_line(p, FONT_BOLD, MARGIN_LEFT, 42, 220, PANGO_ALIGN_LEFT, d->seller.name);
    doc_pdf_line(p, FONT_TEXT, MARGIN_RIGHT - 260, 42, 260, PANGO_ALIGN_RIGHT,
                 doc_pdf_format(p, "document.continued", "title", doc_pdf_title(p), "number",
                                d->number, NULL));
    doc_pdf_grey(p, 0.55);
    doc_pdf_rule(p, MARGIN_LEFT, MARGIN_RIGHT, 62, 0.5);
    doc_pdf_grey(p, 0);
    p->y = NEXT_TOP;
}

static void doc_pdf_table_header(struct doc_pdf *p)
{
    double h = 0;
    for (int c = 0; c < COL__COUNT; c++) {
        double ch = doc_pdf_line(p, FONT_BOLD, doc_columns[c].left, p->y,
                                 doc_columns[c].right - doc_columns[c].left, doc_columns[c].align,
                                 doc_pdf_text(p, doc_columns[c].key));
        h = ch > h ? ch : h;
    }
    p->y += h + ROW_PAD;
    doc_pdf_rule(p, MARGIN_LEFT, MARGIN_RIGHT, p->y, 0.8);
    p->y += ROW_PAD + 1;
}

/* Ends the page and starts the next with its heading (and the table's
 * header row when the table goes on). */
static void doc_pdf_page_break(struct doc_pdf *p, bool in_table)
{
    doc_pdf_footer(p);
    cairo_show_page(p->cr);
    p->page++;
    doc_pdf_next_heading(p);
    if (in_table)
        doc_pdf_table_header(p);
}

/* Makes room for height points, on a new page when this one is full. */
static void doc_pdf_need(struct doc_pdf *p, double height, bool in_table)
{
    if (p->y + height > BODY_BOTTOM)
        doc_pdf_page_break(p, in_table);
}

/* ---- the first page's head ------------------------------------------------ */

/* "Name · street · town": the return address above the window. */
static const char *doc_pdf_return_line(struct doc_pdf *p)
{
    const struct doc_party *s = &p->d->seller;
    struct buf b;
    buf_init(&b, 1024);
    enum err rc = buf_puts(&b, s->name != NULL ? s->name : "");
    for (const char *a = s->address != NULL ? s->address : ""; *a != '\0' && rc == ERR_OK;) {
        size_t n = strcspn(a, "\n");
        if (n > 0)
            rc = buf_printf(&b, " \xc2\xb7 %.*s", (int)n, a);
        a += n + (a[n] == '\n');
    }
    const char *line = rc == ERR_OK ? arena_strndup(&p->a, b.data ? b.data : "", b.len) : NULL;
    buf_release(&b);
    return line != NULL ? line : "";
}

/* The buyer in the envelope's window, under the return address. */
static void doc_pdf_window(struct doc_pdf *p)
{
    const struct doc *d = p->d;
    doc_pdf_grey(p, 0.35);
    double h = doc_pdf_put(p, FONT_TINY, MARGIN_LEFT, 0, WINDOW_W - 10, PANGO_ALIGN_LEFT,
                           doc_pdf_return_line(p), false);
    doc_pdf_line(p, FONT_TINY, MARGIN_LEFT, ADDRESS_TOP - 6 - h, WINDOW_W - 10, PANGO_ALIGN_LEFT,
                 doc_pdf_return_line(p));
    doc_pdf_rule(p, MARGIN_LEFT, WINDOW_LEFT + WINDOW_W - 10, ADDRESS_TOP - 4, 0.3);
    doc_pdf_grey(p, 0);
    const struct doc_party *b = &d->buyer;
    bool abroad = doc_is_set(b->country) && doc_is_set(d->seller.country) &&
                  strcasecmp(b->country, d->seller.country) != 0;
    const char *country = NULL;
    if (abroad) { /* DIN 5008: the country in capitals, last */
        char *up = g_utf8_strup(doc_country_name(p->lang, b->country), -1);
        country = arena_strdup(&p->a, up);
        g_free(up);
    }
    const char *address =
        arena_printf(&p->a, "%s%s%s%s%s", b->name != NULL ? b->name : "",
                     doc_is_set(b->address) ? "\n" : "", doc_is_set(b->address) ? b->address : "",
                     country != NULL ? "\n" : "", country != NULL ? country : "");
    doc_pdf_line(p, FONT_TEXT, MARGIN_LEFT, ADDRESS_TOP, WINDOW_LEFT + WINDOW_W - MARGIN_LEFT - 5,
                 PANGO_ALIGN_LEFT, address != NULL ? address : "");
}

/* One row of the information block: the label left, the value right. */
static void doc_pdf_info_row(struct doc_pdf *p, const char *key, const char *value)
{
    if (!doc_is_set(value))
        return;
    doc_pdf_grey(p, 0.35);
    doc_pdf_line(p, FONT_SMALL, INFO_LEFT, p->y + 1, 80, PANGO_ALIGN_LEFT, doc_pdf_text(p, key));
    doc_pdf_grey(p, 0);
    double h = doc_pdf_line(p, FONT_TEXT, INFO_LEFT + 64, p->y, MARGIN_RIGHT - INFO_LEFT - 64,
                            PANGO_ALIGN_RIGHT, value);
    p->y += h + 2;
}

static void doc_pdf_info(struct doc_pdf *p)
{
    const struct doc *d = p->d;
    bool credit = d->kind == DOC_CREDIT_NOTE;
    p->y = INFO_TOP;
    doc_pdf_info_row(p, credit ? "document.credit_note_number" : "document.invoice_number",
                     d->number);
    doc_pdf_info_row(p, credit ? "document.credit_note_date" : "document.invoice_date",
                     doc_pdf_date(p, d->issue_date));
    if (credit)
        doc_pdf_info_row(p, "document.for_invoice", d->invoice_number);
    else
        doc_pdf_info_row(p, "document.due_date", doc_pdf_date(p, d->due_date));
    doc_pdf_info_row(p, "document.customer_number", d->customer_number);
    doc_pdf_info_row(p, "document.buyer_vat_id", d->buyer.vat_id);
    doc_pdf_info_row(p, "document.email", d->buyer.email);
}

/* The seller and the logo at the top. */
static void doc_pdf_letterhead(struct doc_pdf *p)
{
    const struct doc_party *s = &p->d->seller;
    double w = p->logo != NULL ? CONTENT_W - LOGO_W_MAX - 12 : CONTENT_W;
    doc_pdf_logo_draw(p);
    double h = doc_pdf_line(p, FONT_NAME, MARGIN_LEFT, 38, w, PANGO_ALIGN_LEFT, s->name);
    doc_pdf_grey(p, 0.35);
    if (doc_is_set(s->address))
        doc_pdf_line(p, FONT_SMALL, MARGIN_LEFT, 40 + h, w, PANGO_ALIGN_LEFT, s->address);
    doc_pdf_grey(p, 0);
}

static void doc_pdf_first_page(struct doc_pdf *p)
{
    const struct doc *d = p->d;
    doc_pdf_letterhead(p);
    doc_pdf_window(p);
    doc_pdf_info(p);
    const char *title = arena_printf(&p->a, "%s %s", doc_pdf_title(p), d->number);
    double h = doc_pdf_line(p, FONT_TITLE, MARGIN_LEFT, BODY_TOP, CONTENT_W - 120, PANGO_ALIGN_LEFT,
                            title != NULL ? title : "");
    if (d->voided) {
        cairo_set_source_rgb(p->cr, 0.75, 0.1, 0.1);
        doc_pdf_line(p, FONT_TITLE, MARGIN_RIGHT - 160, BODY_TOP, 160, PANGO_ALIGN_RIGHT,
                     doc_pdf_text(p, "document.voided_mark"));
        doc_pdf_grey(p, 0);
    }
    p->y = BODY_TOP + h + 10;
    const char *intro = d->kind == DOC_CREDIT_NOTE
                            ? doc_pdf_format(p, "document.intro_credit_note", "invoice",
                                             d->invoice_number ? d->invoice_number : "", NULL)
                            : doc_pdf_text(p, "document.intro_invoice");
    p->y += doc_pdf_line(p, FONT_TEXT, MARGIN_LEFT, p->y, CONTENT_W, PANGO_ALIGN_LEFT, intro);
    if (d->kind == DOC_INVOICE) {
        doc_pdf_grey(p, 0.35);
        p->y += doc_pdf_line(p, FONT_SMALL, MARGIN_LEFT, p->y + 2, CONTENT_W, PANGO_ALIGN_LEFT,
                             doc_pdf_text(p, "document.supply_date"));
        doc_pdf_grey(p, 0);
    }
    p->y += 14;
}

/* ---- the body ------------------------------------------------------------ */

static void doc_pdf_row(struct doc_pdf *p, size_t i)
{
    const struct doc_line *l = &p->d->lines[i];
    double desc_w = doc_columns[COL_DESC].right - doc_columns[COL_DESC].left;
    double h = doc_pdf_put(p, FONT_TEXT, 0, 0, desc_w, PANGO_ALIGN_LEFT, l->description, false);
    doc_pdf_need(p, h + 2 * ROW_PAD, true);
    const char *cells[COL__COUNT] = {
        arena_printf(&p->a, "%zu", i + 1),         l->description,
        doc_quantity(&p->a, p->lang, l->quantity), doc_pdf_money(p, l->unit_net_minor),
        doc_rate(&p->a, p->lang, l->vat_rate_bp),  doc_pdf_money(p, l->net_minor)};
    for (int c = 0; c < COL__COUNT; c++)
        doc_pdf_line(p, FONT_TEXT, doc_columns[c].left, p->y + ROW_PAD,
                     doc_columns[c].right - doc_columns[c].left, doc_columns[c].align,
                     cells[c] != NULL ? cells[c] : "");
    p->y += h + 2 * ROW_PAD;
    doc_pdf_grey(p, 0.8);
    doc_pdf_rule(p, MARGIN_LEFT, MARGIN_RIGHT, p->y, 0.3);
    doc_pdf_grey(p, 0);
}

struct doc_total {
    const char *label, *value;
    bool bold, rule;
};

/* The totals: net, VAT per rate, gross, store credit and what is due. */
static size_t doc_pdf_totals_rows(struct doc_pdf *p, struct doc_total *t, size_t max)
{
    const struct doc *d = p->d;
    size_t n = 0;
    t[n++] = (struct doc_total){doc_pdf_text(p, "document.net"), doc_pdf_money(p, d->net_minor),
                                false, false};
    for (size_t i = 0; i < d->n_vats && n + 3 < max; i++) {
        const char *rate = doc_rate(&p->a, p->lang, d->vats[i].rate_bp);
        t[n++] = (struct doc_total){doc_pdf_format(p, "document.vat", "rate", rate, NULL),
                                    doc_pdf_money(p, d->vats[i].vat_minor), false, false};
    }
    t[n++] = (struct doc_total){doc_pdf_text(p, "document.gross"), doc_pdf_money(p, d->gross_minor),
                                true, true};
    if (d->kind == DOC_CREDIT_NOTE) {
        /* What the correction gives back: store credit, and money. */
        if (d->store_credit_minor != 0)
            t[n++] = (struct doc_total){doc_pdf_text(p, "document.store_credit_returned"),
                                        doc_pdf_money(p, d->store_credit_minor), false, false};
        t[n++] = (struct doc_total){doc_pdf_text(p, "document.refund_due"),
                                    doc_pdf_money(p, d->due_minor), true, true};
    } else if (d->store_credit_minor != 0) {
        t[n++] = (struct doc_total){doc_pdf_text(p, "document.store_credit"),
                                    doc_pdf_money(p, -d->store_credit_minor), false, false};
        t[n++] = (struct doc_total){doc_pdf_text(p, "document.amount_due"),
                                    doc_pdf_money(p, d->due_minor), true, true};
    }
    return n;
}

static void doc_pdf_totals(struct doc_pdf *p)
{
    struct doc_total t[DOC_VATS_MAX + 4];
    size_t n = doc_pdf_totals_rows(p, t, sizeof(t) / sizeof(t[0]));
    doc_pdf_need(p, 8 + 15.0 * (double)n, false);
    p->y += 6;
    for (size_t i = 0; i < n; i++) {
        enum doc_font f = t[i].bold ? FONT_BOLD : FONT_TEXT;
        if (t[i].rule) {
            doc_pdf_rule(p, 300, MARGIN_RIGHT, p->y, 0.6);
            p->y += 2;
        }
        doc_pdf_line(p, f, 250, p->y, 196, PANGO_ALIGN_RIGHT, t[i].label);
        p->y +=
            doc_pdf_line(p, f, 454, p->y, MARGIN_RIGHT - 454, PANGO_ALIGN_RIGHT, t[i].value) + 3;
    }
    p->y += 10;
}

/* A paragraph of the full width, on a new page when it does not fit. */
static void doc_pdf_paragraph(struct doc_pdf *p, enum doc_font f, const char *text)
{
    if (!doc_is_set(text))
        return;
    double h = doc_pdf_put(p, f, 0, 0, CONTENT_W, PANGO_ALIGN_LEFT, text, false);
    doc_pdf_need(p, h, false);
    p->y += doc_pdf_line(p, f, MARGIN_LEFT, p->y, CONTENT_W, PANGO_ALIGN_LEFT, text) + 6;
}

/* The bank details: label and value rows under a request to pay. */
static void doc_pdf_payment(struct doc_pdf *p)
{
    const struct doc *d = p->d;
    const struct doc_payment *pay = d->payment;
    const char *date = doc_pdf_date(p, d->due_date);
    const char *request = doc_pdf_format(
        p, date[0] != '\0' ? "document.payment_request_due" : "document.payment_request", "amount",
        doc_pdf_money(p, d->due_minor), "date", date, NULL);
    char iban[96];
    doc_format_iban(pay->iban, iban, sizeof(iban));
    const char *rows[][2] = {{"document.account_holder", pay->holder},
                             {"document.iban", iban},
                             {"document.bic", pay->bic},
                             {"document.payment_reference", d->number},
                             {"document.payment_terms", pay->terms}};
    double need = doc_pdf_put(p, FONT_TEXT, 0, 0, CONTENT_W, PANGO_ALIGN_LEFT, request, false);
    doc_pdf_need(p, need + 20 + 14.0 * (double)(sizeof(rows) / sizeof(rows[0])), false);
    p->y += doc_pdf_line(p, FONT_BOLD, MARGIN_LEFT, p->y, CONTENT_W, PANGO_ALIGN_LEFT,
                         doc_pdf_text(p, "document.payment_title")) +
            2;
    p->y += doc_pdf_line(p, FONT_TEXT, MARGIN_LEFT, p->y, CONTENT_W, PANGO_ALIGN_LEFT, request) + 4;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        if (!doc_is_set(rows[i][1]))
            continue;
        doc_pdf_grey(p, 0.35);
        doc_pdf_line(p, FONT_TEXT, MARGIN_LEFT, p->y, 120, PANGO_ALIGN_LEFT,
                     doc_pdf_text(p, rows[i][0]));
        doc_pdf_grey(p, 0);
        p->y += doc_pdf_line(p, FONT_TEXT, MARGIN_LEFT + 125, p->y, CONTENT_W - 125,
                             PANGO_ALIGN_LEFT, rows[i][1]) +
                2;
    }
    p->y += 6;
}

/* What the buyer has to do now: nothing (voided, paid, nothing due), pay
 * by transfer, or pay by a date. */
static void doc_pdf_settlement(struct doc_pdf *p)
{
    const struct doc *d = p->d;
    if (d->voided) {
        doc_pdf_paragraph(p, FONT_BOLD, doc_pdf_text(p, "document.voided"));
        return;
    }
    if (d->kind != DOC_INVOICE)
        return;
    if (d->paid_date.year != 0) {
        doc_pdf_paragraph(
            p, FONT_TEXT,
            doc_pdf_format(p, "document.paid_on", "date", doc_pdf_date(p, d->paid_date), NULL));
        return;
    }
    if (d->due_minor <= 0) {
        doc_pdf_paragraph(p, FONT_TEXT, doc_pdf_text(p, "document.nothing_due"));
        return;
    }
    if (d->payment != NULL && doc_is_set(d->payment->iban))
        doc_pdf_payment(p);
    else if (d->due_date.year != 0)
        doc_pdf_paragraph(
            p, FONT_TEXT,
            doc_pdf_format(p, "document.payable_by", "date", doc_pdf_date(p, d->due_date), NULL));
}

static void doc_pdf_body(struct doc_pdf *p)
{
    const struct doc *d = p->d;
    doc_pdf_first_page(p);
    doc_pdf_table_header(p);
    for (size_t i = 0; i < d->n_lines; i++)
        doc_pdf_row(p, i);
    doc_pdf_totals(p);
    if (d->reverse_charge)
        doc_pdf_paragraph(p, FONT_TEXT, doc_pdf_text(p, "document.reverse_charge"));
    doc_pdf_paragraph(p, FONT_TEXT, d->note);
    doc_pdf_settlement(p);
    doc_pdf_footer(p);
}

/* "2026-12-04T00:00:00" for the PDF's dates: the issue date, never the clock. */
static void doc_pdf_metadata(struct doc_pdf *p)
{
    const struct doc *d = p->d;
    const char *title = arena_printf(&p->a, "%s %s", doc_pdf_title(p), d->number);
    cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_TITLE, title ? title : "");
    if (doc_is_set(d->seller.name))
        cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_AUTHOR, d->seller.name);
    cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_CREATOR, "creditd");
    if (d->issue_date.year != 0) {
        const char *date =
            arena_printf(&p->a, "%04lld-%02u-%02uT00:00:00", (long long)d->issue_date.year,
                         d->issue_date.month, d->issue_date.day);
        cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_CREATE_DATE,
                                       date ? date : "");
        cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_MOD_DATE, date ? date : "");
    }
}

/* One layout of the whole document; with out NULL it only counts pages. */
static enum err doc_pdf_pass(struct doc_pdf *p, struct buf *out)
{
    p->out = out;
    p->write_rc = ERR_OK;
    p->page = 1;
    p->surface = cairo_pdf_surface_create_for_stream(doc_pdf_write, p, PAGE_W, PAGE_H);
    cairo_pdf_surface_restrict_to_version(p->surface, CAIRO_PDF_VERSION_1_5);
    doc_pdf_metadata(p);
    p->cr = cairo_create(p->surface);
    /* Font sizes are points, and a point is the PDF's unit: pango's default
     * of 96 dots per inch would make every text a third larger. */
    PangoContext *context = pango_cairo_create_context(p->cr);
    pango_cairo_context_set_resolution(context, 72);
    p->layout = pango_layout_new(context);
    g_object_unref(context);
    doc_pdf_grey(p, 0);
    doc_pdf_body(p);
    g_object_unref(p->layout);
    cairo_status_t status = cairo_status(p->cr);
    cairo_destroy(p->cr);
    cairo_surface_finish(p->surface);
    if (status == CAIRO_STATUS_SUCCESS)
        status = cairo_surface_status(p->surface);
    cairo_surface_destroy(p->surface);
    if (p->write_rc != ERR_OK)
        return p->write_rc;
    if (p->a.refused)
        return ERR_TOO_LARGE;
    return status == CAIRO_STATUS_SUCCESS ? ERR_OK : ERR_INTERNAL;
}

static enum err doc_check_text(const char *s, const char *field, struct err_detail *e)
{
    if (s != NULL && !g_utf8_validate(s, -1, NULL))
        return err_set(e, ERR_VALIDATION, field, "is not UTF-8");
    return ERR_OK;
}

static enum err doc_check_party(const struct doc_party *party, const char *which,
                                struct err_detail *e)
{
    const char *texts[] = {party->name, party->address, party->country, party->vat_id,
                           party->email};
    static const char *const names[] = {"name", "address", "country", "vat_id", "email"};
    enum err rc = ERR_OK;
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]) && rc == ERR_OK; i++) {
        char field[48];
        str_format(field, sizeof(field), "%s.%s", which, names[i]);
        rc = doc_check_text(texts[i], field, e);
    }
    return rc;
}

/* What the renderer cannot print: a document without a number, too many
 * lines or rates, text that is not UTF-8 (pango would print garbage). */
static enum err doc_check(const struct doc *d, struct err_detail *e)
{
    if (!doc_is_set(d->number))
        return err_set(e, ERR_VALIDATION, "number", "is required");
    if (d->n_lines > DOC_LINES_MAX)
        return err_set(e, ERR_VALIDATION, "lines", "more than %d lines", DOC_LINES_MAX);
    if (d->n_vats > DOC_VATS_MAX)
        return err_set(e, ERR_VALIDATION, "vats", "more than %d VAT rates", DOC_VATS_MAX);
    const char *texts[] = {d->number,   d->invoice_number, d->customer_number,
                           d->currency, d->note,           d->footer};
    static const char *const names[] = {"number",   "invoice_number", "customer_number",
                                        "currency", "note",           "footer"};
    enum err rc = ERR_OK;
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]) && rc == ERR_OK; i++)
        rc = doc_check_text(texts[i], names[i], e);
    for (size_t i = 0; i < d->n_lines && rc == ERR_OK; i++) {
        rc = doc_check_text(d->lines[i].description, "lines.description", e);
        if (rc == ERR_OK && (d->lines[i].vat_rate_bp < 0 || d->lines[i].quantity < 0))
            rc = err_set(e, ERR_VALIDATION, "lines", "a rate or quantity below zero");
    }
    if (rc == ERR_OK)
        rc = doc_check_party(&d->seller, "seller", e);
    if (rc == ERR_OK)
        rc = doc_check_party(&d->buyer, "buyer", e);
    if (rc == ERR_OK && d->payment != NULL) {
        const char *pay[] = {d->payment->holder, d->payment->iban, d->payment->bic,
                             d->payment->terms};
        for (size_t i = 0; i < sizeof(pay) / sizeof(pay[0]) && rc == ERR_OK; i++)
            rc = doc_check_text(pay[i], "payment", e);
    }
    return rc;
}

enum err doc_pdf(const struct doc *d, struct buf *out, struct err_detail *e)
{
    ASSERT(d != NULL);
    ASSERT(out != NULL);
    ASSERT(d->n_lines == 0 || d->lines != NULL);
    enum err rc = doc_check(d, e);
    if (rc != ERR_OK)
        return rc;
    struct doc_pdf p = {.d = d, .lang = i18n_lang(d->lang)};
    arena_init(&p.a, DOC_ARENA_BYTES_MAX);
    doc_pdf_logo_load(&p, &d->logo);
    size_t start = out->len;
    rc = doc_pdf_pass(&p, NULL);
    p.pages = p.page;
    if (rc == ERR_OK)
        rc = doc_pdf_pass(&p, out);
    ASSERT(rc != ERR_OK || p.page == p.pages);
    if (p.logo != NULL)
        cairo_surface_destroy(p.logo);
    if (p.svg != NULL)
        g_object_unref(p.svg);
    arena_release(&p.a);
    if (rc != ERR_OK)
        out->len = start;
    if (rc == ERR_TOO_LARGE)
        return err_set(e, rc, "", "the document is larger than %zu bytes", out->max_bytes);
    if (rc != ERR_OK)
        return err_set(e, rc, "", "cannot render the document");
    return ERR_OK;
}
