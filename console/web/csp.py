"""Page-specific relaxations of the Content-Security-Policy (settings.CONTENT_SECURITY_POLICY).

xterm.js (terminal and attach pages) writes its theme and cell sizes into <style> elements
and `style` attributes, which `style-src 'self'` refuses; those pages alone allow inline
styles. Scripts stay `'self'` everywhere.
"""

from csp.decorators import csp_update

xterm_styles = csp_update({"style-src": ["'unsafe-inline'"]})
