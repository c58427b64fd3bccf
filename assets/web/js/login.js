// Login form: carries the page to return to, and says why the last attempt failed.
const q = new URLSearchParams(location.search);
const next = q.get('next');
if (next && next.startsWith('/') && !next.startsWith('//')) document.getElementById('next').value = next;
const messages = { wrong: 'That token is not right.', locked: 'Too many wrong tokens from this address: wait a while, then try again.' };
const error = messages[q.get('error')];
if (error) {
  const box = document.getElementById('error');
  box.textContent = error;
  box.classList.remove('hidden');
}
