import { lazy, Suspense } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router';
import { Loading } from './components/feedback';
import { Layout } from './components/Layout';
import { NotificationsProvider } from './notifications/NotificationsProvider';
import { EventPage } from './pages/EventPage';
import { EventsPage } from './pages/EventsPage';
import { LoginPage, RegisterPage } from './pages/AccountPages';
import { NotFoundPage } from './pages/NotFoundPage';
import { OrderPage } from './pages/OrderPage';
import { OrganizerPage } from './pages/OrganizerPage';
import { TicketsPage } from './pages/TicketsPage';
import { SessionProvider } from './session/session';

// The operator page carries the charting library: loaded only when opened.
const OperatorPage = lazy(() => import('./pages/OperatorPage'));

// Client-side paths; none may start with an API segment (event, order, user,
// payment, reports, status, ...): the gateway sends those to the API.
export function App() {
  return (
    <BrowserRouter>
      <SessionProvider>
        <NotificationsProvider>
          <Routes>
            <Route element={<Layout />}>
              <Route index element={<EventsPage />} />
              <Route path="events/:id" element={<EventPage />} />
              <Route path="login" element={<LoginPage />} />
              <Route path="register" element={<RegisterPage />} />
              <Route path="tickets" element={<TicketsPage />} />
              <Route path="tickets/:id" element={<OrderPage />} />
              <Route path="organizer" element={<OrganizerPage />} />
              <Route path="operator" element={<Suspense fallback={<Loading label="Loading the operator page…" />}><OperatorPage /></Suspense>} />
              <Route path="*" element={<NotFoundPage />} />
            </Route>
          </Routes>
        </NotificationsProvider>
      </SessionProvider>
    </BrowserRouter>
  );
}
