import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.js';
import { applyStoredTheme } from './app/theme.js';
import './styles/theme.css';
import './styles/app.css';

applyStoredTheme();
const root = document.getElementById('root');
if (root) createRoot(root).render(<StrictMode><App /></StrictMode>);
