// The printable invoice's EPC QR code ("GiroCode"): the page carries the
// payment's text in data-epc (made by the server, EPC069-12), and this
// module draws it with the portal's encoder, level M. Loaded by
// /api/v1/invoices/{id}/html, whose CSP admits scripts of this origin only.
import { qrSvg } from './qr.js';

for (const figure of document.querySelectorAll('figure.epc[data-epc]')) {
  figure.prepend(qrSvg(figure.dataset.epc, { size: 180, label: figure.dataset.label || 'EPC QR code' }));
}
