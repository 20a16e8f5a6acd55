"""Small, mobile-first HTML pages for the owner (opened from a WhatsApp link on a phone)."""

from __future__ import annotations

from html import escape

from chalice import Response

STYLE = """
body{font-family:system-ui,-apple-system,"Noto Sans","Noto Sans Devanagari",sans-serif;margin:0;
background:#f6f4ef;color:#222}
main{max-width:560px;margin:0 auto;padding:16px}
h1{font-size:1.3rem;margin:.2rem 0 1rem}
.card{background:#fff;border-radius:12px;padding:14px 16px;margin-bottom:12px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.card p{margin:0;line-height:1.45}
.muted{color:#666;font-size:.9rem}
table{width:100%;border-collapse:collapse;font-size:.95rem}
td{padding:6px 0;border-bottom:1px solid #eee;vertical-align:top}
td.r{text-align:right;white-space:nowrap}
.total td{font-weight:700;border-bottom:none}
button,textarea{font-family:inherit}
button{width:100%;font-size:1.1rem;font-weight:600;padding:14px;border:0;border-radius:10px;color:#fff;margin-top:8px}
.approve{background:#1f7a3a}.reject{background:#b3261e}
textarea{width:100%;box-sizing:border-box;min-height:80px;font-size:1rem;border-radius:8px;
border:1px solid #ccc;padding:8px}
.ok{border-left:6px solid #1f7a3a}.bad{border-left:6px solid #b3261e}.info{border-left:6px solid #8a6d1f}
"""


def page(title: str, body: str, status: int = 200, refresh: str | None = None) -> Response:
    meta = f'<meta http-equiv="refresh" content="{escape(refresh)}">' if refresh else ""
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="robots" content="noindex">{meta}<title>{escape(title)}</title><style>{STYLE}</style></head>'
        f"<body><main><h1>{escape(title)}</h1>{body}</main></body></html>"
    )
    return Response(
        body=html,
        status_code=status,
        headers={
            "Content-Type": "text/html; charset=utf-8",
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
            "X-Robots-Tag": "noindex",
        },
    )


def notice(title: str, message: str, kind: str = "info", status: int = 200, refresh: str | None = None) -> Response:
    return page(title, f'<div class="card {kind}"><p>{escape(message)}</p></div>', status, refresh)


def rupees(text: str) -> str:
    from chalicelib.domain.money import format_inr

    return format_inr(text)


def order_card(view: dict) -> str:
    """The order as the owner reads it: customer and balance, each line with batches and dye lots, GST, total."""
    customer = view["customer"]
    rows = []
    for number, line in enumerate(view["lines"], 1):
        lots = "; ".join(
            f"{escape(b['dye_lot'] or 'no lot')}: {escape(b['meters'])} m @ {rupees(b['rate'])}"
            for b in line["batches"]
        )
        note = " (from more than one dye lot)" if line["spans_lots"] else ""
        rows.append(
            f"<tr><td>{number}. {escape(line['color'].title())} {escape(line['material'])}, {escape(line['meters'])} m"
            f'{escape(note)}<br><span class="muted">{lots}</span></td><td class="r">{rupees(line["amount"])}</td></tr>'
        )
    totals = view.get("totals")
    if totals:
        rows.append(f'<tr><td>Taxable value</td><td class="r">{rupees(totals["taxable"])}</td></tr>')
        rows += [
            f'<tr><td>{escape(t["label"])}</td><td class="r">{rupees(t["amount"])}</td></tr>' for t in totals["tax"]
        ]
        rows.append(f'<tr><td>Round off</td><td class="r">{rupees(totals["round_off"])}</td></tr>')
        rows.append(f'<tr class="total"><td>Total with GST</td><td class="r">{rupees(totals["grand_total"])}</td></tr>')
    return (
        f'<div class="card"><div>Order <b>{escape(view["order_id"])}</b></div>'
        f"<div>{escape(customer.get('name') or '')} (+{escape(customer['phone'])})</div>"
        f'<div class="muted">Outstanding balance: {rupees(customer["balance"])}</div></div>'
        f'<div class="card"><table>{"".join(rows)}</table></div>'
    )
