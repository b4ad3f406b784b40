import { render } from 'preact';
import '@xterm/xterm/css/xterm.css';

function App() {
  return <p>tmux-bridge</p>;
}

render(<App />, document.getElementById('app')!);
