/**
 * The invoice (or credit note, or draft) as a PDF, drawn with pdfkit's built-in Helvetica: the
 * issuer and customer blocks, number and dates, one table row per line (quantity, unit price per
 * million, amount), subtotal, tax and total, what is due, and the rounding rule in the footer.
 */
import PDFDocument from 'pdfkit';
import type { InvoiceView } from './view.ts';

const fmtUsd = (s: string) => {
  const neg = s.startsWith('-');
  const [w, f = ''] = (neg ? s.slice(1) : s).split('.');
  return `${neg ? '-' : ''}$${w!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${f ? '.' + f : ''}`;
};
const fmtQty = (s: string) => s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const day = (s: string | null) => (s ? s.slice(0, 10) : '—');

export function renderInvoicePdf(v: InvoiceView): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'LETTER',
    margin: 50,
    info: {
      Title: `${v.kind === 'credit_note' ? 'Credit note' : 'Invoice'} ${v.number ?? 'draft'}`,
      Author: v.issuer.name,
      CreationDate: new Date(v.issued_at ?? 0),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const L = 50;
  const R = doc.page.width - 50;
  const W = R - L;
  const title = v.kind === 'credit_note' ? 'CREDIT NOTE' : v.status === 'draft' ? 'INVOICE (DRAFT)' : 'INVOICE';

  doc
    .font('Helvetica-Bold')
    .fontSize(16)
    .fillColor('#111')
    .text(v.issuer.name, L, 50, { width: W / 2 });
  doc.font('Helvetica').fontSize(9).fillColor('#444');
  for (const line of [...v.issuer.address.split(/\n|\|/), v.issuer.email ?? '', v.issuer.tax_id ? `Tax ID: ${v.issuer.tax_id}` : ''].filter(Boolean))
    doc.text(line.trim(), { width: W / 2 });

  doc
    .font('Helvetica-Bold')
    .fontSize(20)
    .fillColor('#1f3a93')
    .text(title, L + W / 2, 50, { width: W / 2, align: 'right' });
  doc.font('Helvetica').fontSize(9).fillColor('#111');
  const meta: Array<[string, string]> = [
    ['Number', v.number ?? '(assigned at close)'],
    ['Issued', day(v.issued_at)],
    [v.collection === 'charge_card' ? 'Charged' : 'Due', day(v.due_at)],
    ['Period', `${v.period} (UTC)`],
    ['Status', v.status],
    ...(v.corrects ? [['Corrects', v.corrects] as [string, string]] : []),
  ];
  let y = 80;
  for (const [k, val] of meta) {
    doc
      .font('Helvetica')
      .fillColor('#666')
      .text(k, L + W / 2, y, { width: W / 4, align: 'right' });
    doc
      .font('Helvetica-Bold')
      .fillColor('#111')
      .text(val, L + (3 * W) / 4, y, { width: W / 4, align: 'right' });
    y += 13;
  }

  y = Math.max(y, doc.y) + 18;
  doc.font('Helvetica-Bold').fontSize(9).fillColor('#666').text('BILL TO', L, y);
  doc
    .font('Helvetica-Bold')
    .fontSize(11)
    .fillColor('#111')
    .text(v.customer.name, L, y + 12, { width: W / 2 });
  doc.font('Helvetica').fontSize(9).fillColor('#444');
  for (const line of [
    ...(v.customer.address ?? '').split(/\n|\|/),
    v.customer.tax_id ? `Tax ID: ${v.customer.tax_id}` : '',
    v.customer.org_id ? `Account: ${v.customer.org_id}` : '',
  ].filter((s) => s?.trim()))
    doc.text(line.trim(), { width: W / 2 });

  // Table.
  y = doc.y + 20;
  const cols = [
    { x: L, w: W * 0.52, label: 'Description', align: 'left' as const },
    { x: L + W * 0.52, w: W * 0.16, label: 'Quantity', align: 'right' as const },
    { x: L + W * 0.68, w: W * 0.16, label: 'Unit price / M', align: 'right' as const },
    { x: L + W * 0.84, w: W * 0.16, label: 'Amount', align: 'right' as const },
  ];
  const header = () => {
    doc.rect(L, y - 4, W, 18).fill('#eef1f8');
    doc.font('Helvetica-Bold').fontSize(8.5).fillColor('#333');
    for (const c of cols) doc.text(c.label, c.x + 3, y, { width: c.w - 6, align: c.align });
    y += 20;
  };
  header();
  doc.font('Helvetica').fontSize(8.5);
  for (const l of v.lines) {
    const cells = [
      l.description,
      l.kind === 'credit' || l.token_kind === 'mixed' ? '' : fmtQty(l.quantity),
      l.kind === 'credit' || l.token_kind === 'mixed' ? '' : fmtUsd(l.unit_price_usd_per_million),
      fmtUsd(l.amount_usd),
    ];
    const h = Math.max(12, doc.heightOfString(cells[0]!, { width: cols[0]!.w - 6 }));
    if (y + h > doc.page.height - 120) {
      doc.addPage();
      y = 50;
      header();
      doc.font('Helvetica').fontSize(8.5);
    }
    doc.fillColor(l.kind === 'adjustment' ? '#8a5a00' : '#111');
    cells.forEach((c, i) => {
      doc.text(c, cols[i]!.x + 3, y, { width: cols[i]!.w - 6, align: cols[i]!.align });
    });
    y += h + 5;
    doc
      .moveTo(L, y - 2)
      .lineTo(R, y - 2)
      .lineWidth(0.3)
      .strokeColor('#dde')
      .stroke();
  }
  if (!v.lines.length) {
    doc.fillColor('#666').text('No usage in this period.', L + 3, y);
    y += 16;
  }

  // Totals.
  y += 8;
  if (y > doc.page.height - 170) {
    doc.addPage();
    y = 50;
  }
  const total = (label: string, value: string, bold = false) => {
    doc
      .font(bold ? 'Helvetica-Bold' : 'Helvetica')
      .fontSize(bold ? 11 : 9)
      .fillColor('#111');
    doc.text(label, L + W * 0.5, y, { width: W * 0.3, align: 'right' });
    doc.text(value, L + W * 0.8, y, { width: W * 0.2 - 3, align: 'right' });
    y += bold ? 17 : 13;
  };
  total('Subtotal', fmtUsd(v.subtotal_usd));
  total(`Tax (${v.tax_rate_percent} %)`, fmtUsd(v.tax_usd));
  total(v.kind === 'credit_note' ? 'Total credited' : 'Total', fmtUsd(v.total_usd), true);
  if (v.kind === 'invoice' && v.credited_usd !== '0.00') total('Credit notes', fmtUsd(`-${v.credited_usd}`));
  if (v.kind === 'invoice') total(v.status === 'paid' ? `Paid ${day(v.paid_at)}` : 'Amount due', fmtUsd(v.amount_due_usd), true);

  doc.font('Helvetica').fontSize(7.5).fillColor('#777');
  const foot = [
    `Exact subtotal before rounding: $${v.subtotal_exact_usd}. Line amounts are exact (tokens × price per million) and rounded once: the subtotal to the cent (half away from zero), lines apportioned by largest remainder so they add up to it; tax is the rounded subtotal × the rate, rounded to the cent.`,
    v.kind === 'credit_note'
      ? `This credit note corrects invoice ${v.corrects ?? ''}.`
      : v.collection === 'charge_card'
        ? 'This statement is charged to the card on file.'
        : `Payment due by ${day(v.due_at)}. Please quote the invoice number with your payment.`,
  ];
  doc.text(foot.join('\n'), L, doc.page.height - 95, { width: W, align: 'left' });
  doc.end();
  return done;
}
