/**
 * The one stylesheet of the hosted pages, as a module so the build ships it with the code. Its
 * path carries a hash of its text, so browsers may keep it for a year and still see every change.
 */
import { createHash } from 'node:crypto';

// Colours meet WCAG AA (4.5:1 for text): #1f2933 and #52606d on white, white on #1d4ed8, #b42318
// on #fef3f2. Focus is a thick outline that survives forced-colours mode.
const CSS = `*,*::before,*::after{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:100%;line-height:1.5;color:#1f2933;background:#f3f4f6}
body{margin:0;min-height:100vh;display:flex;flex-direction:column;align-items:center;padding:2rem 1rem}
header{width:100%;max-width:26rem;margin-bottom:1rem;font-weight:700;font-size:1.125rem;letter-spacing:.02em}
main{width:100%;max-width:26rem;background:#fff;border:1px solid #d2d6dc;border-radius:.75rem;padding:1.75rem 1.5rem;box-shadow:0 1px 3px rgba(0,0,0,.06)}
h1{font-size:1.5rem;line-height:1.25;margin:0 0 1.25rem}
p{margin:0 0 1rem}
.muted{color:#52606d}
label{display:block;font-weight:600;margin:0 0 .25rem}
input[type=email],input[type=password]{display:block;width:100%;font:inherit;padding:.625rem .75rem;border:1px solid #7b8794;border-radius:.5rem;margin:0 0 1rem;background:#fff;color:inherit}
button,.button{display:inline-block;font:inherit;font-weight:600;padding:.625rem 1.25rem;border-radius:.5rem;border:1px solid #1d4ed8;background:#1d4ed8;color:#fff;cursor:pointer;text-decoration:none;text-align:center}
button:hover,.button:hover{background:#1e40af;border-color:#1e40af}
button.secondary,.button.secondary{background:#fff;color:#1d4ed8}
button.secondary:hover,.button.secondary:hover{background:#eff6ff}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;margin-top:.5rem}
.actions>*{flex:1 1 8rem}
a{color:#1d4ed8}
:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.alert{border:1px solid #fda29b;background:#fef3f2;color:#b42318;border-radius:.5rem;padding:.75rem 1rem;margin:0 0 1rem}
.notice{border:1px solid #a6d8b8;background:#f0fdf4;color:#14532d;border-radius:.5rem;padding:.75rem 1rem;margin:0 0 1rem}
ul.scopes{padding-left:1.25rem;margin:0 0 1.25rem}
ul.scopes li{margin:.25rem 0}
code{font-size:.95em;overflow-wrap:anywhere}
footer{margin-top:1rem;font-size:.875rem;color:#52606d}
h2{font-size:1.125rem;line-height:1.3;margin:1.75rem 0 .5rem}
ul.rows{list-style:none;padding:0;margin:0 0 1rem}
ul.rows>li{border-top:1px solid #e4e7eb;padding:.75rem 0;display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:flex-start}
ul.rows>li>p{margin:0;flex:1 1 12rem}
ul.rows>li>ul.scopes{flex:1 1 100%;margin:0}
ul.rows form button{padding:.375rem .875rem}
.badge{display:inline-block;margin-left:.5rem;padding:0 .5rem;border-radius:1rem;background:#e0e7ff;color:#1e3a8a;font-size:.8125rem;font-weight:600}
`;

/** The stylesheet's text. */
export const STYLESHEET = CSS;

/** Where the pages link the stylesheet: its path changes whenever its text does. */
export const STYLESHEET_PATH = `/assets/tessera.${createHash('sha256').update(CSS).digest('hex').slice(0, 12)}.css`;
